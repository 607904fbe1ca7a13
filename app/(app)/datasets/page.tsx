import type { Metadata } from "next";
import Link from "next/link";
import { DatabaseIcon, PlusIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Datasets" };

export default async function DatasetsPage() {
  const user = await requireUser();
  const canEdit = roleAtLeast(user.role, "editor");
  return (
    <>
      <PageHeader title="Datasets" description="CSV sources, their versions and the Postgres tables they load into." />
      <EmptyState
        icon={DatabaseIcon}
        title="No datasets yet"
        description="Register a CSV by URL or upload; Relayboard keeps every version and loads it into Postgres."
      >
        {canEdit ? (
          <Button asChild>
            <Link href="/datasets/new">
              <PlusIcon aria-hidden="true" />
              Register a dataset
            </Link>
          </Button>
        ) : (
          <p className="text-muted-foreground text-sm">Ask an editor or admin to register the first dataset.</p>
        )}
      </EmptyState>
    </>
  );
}
