import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon, NetworkIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { loadLineage } from "@/lib/lineage/load";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { LineageExplorer } from "@/components/models/lineage-explorer";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Lineage" };

/** `?focus=<kind>:<name>&depth=<n|all>` are read in the browser (LineageExplorer), which keeps them in the URL. */
export default async function LineagePage() {
  await requireUser();
  const lineage = await loadLineage();

  return (
    <>
      <PageHeader
        title="Lineage"
        description="How data flows: datasets → models → pipelines → Slack channels. Select a node to trace its path; open it with its arrow."
        actions={
          <Button asChild variant="ghost">
            <Link href="/models">
              <ArrowLeftIcon aria-hidden="true" />
              All models
            </Link>
          </Button>
        }
      />
      {lineage.nodes.length === 0 ? (
        <EmptyState
          icon={NetworkIcon}
          title="Nothing to draw yet"
          description="Register a dataset and write a model that refs it; the graph shows how each model depends on the others."
        >
          <Button asChild>
            <Link href="/datasets">Start with a dataset</Link>
          </Button>
        </EmptyState>
      ) : (
        <LineageExplorer lineage={lineage} />
      )}
    </>
  );
}
