import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon } from "lucide-react";
import { requirePageRole } from "@/lib/auth/session";
import { getEnv } from "@/lib/env";
import { Card, CardContent } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { NewDatasetForm } from "./new-dataset-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New dataset" };

export default async function NewDatasetPage() {
  // Viewers cannot register datasets; the action and the upload route refuse them as well.
  await requirePageRole("editor");
  return (
    <>
      <Link
        href="/datasets"
        className="text-muted-foreground hover:text-foreground -mb-2 inline-flex w-fit items-center gap-1 rounded-sm text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        <ArrowLeftIcon className="size-4" aria-hidden="true" />
        Datasets
      </Link>
      <PageHeader
        title="New dataset"
        description="Point Relayboard at a CSV URL or upload a file. It is stored as version 1 and loaded into Postgres right away."
      />
      <Card>
        <CardContent>
          <NewDatasetForm maxUploadBytes={getEnv().maxSourceBytes} />
        </CardContent>
      </Card>
    </>
  );
}
