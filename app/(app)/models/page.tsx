import type { Metadata } from "next";
import Link from "next/link";
import { BoxesIcon, DatabaseIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Models" description="SQL that shapes loaded datasets into the tables your messages read." />
      <EmptyState
        icon={BoxesIcon}
        title="No models yet"
        description="A model is a SQL select over your datasets or other models; Relayboard builds it into the warehouse and tests it before anything is sent."
      >
        <Button asChild>
          <Link href="/datasets">
            <DatabaseIcon aria-hidden="true" />
            Start with a dataset
          </Link>
        </Button>
      </EmptyState>
    </>
  );
}
