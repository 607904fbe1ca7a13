import type { Metadata } from "next";
import Link from "next/link";
import { HistoryIcon, WorkflowIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Runs" description="Every pipeline run, step by step, with its progress and errors." />
      <EmptyState
        icon={HistoryIcon}
        title="No runs yet"
        description="Each time a pipeline runs, its fetch, load, build and delivery steps are recorded here live, so you can see what was sent and why something failed."
      >
        <Button asChild>
          <Link href="/pipelines">
            <WorkflowIcon aria-hidden="true" />
            Go to pipelines
          </Link>
        </Button>
      </EmptyState>
    </>
  );
}
