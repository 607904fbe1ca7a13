import type { Metadata } from "next";
import Link from "next/link";
import { SendIcon, WorkflowIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Pipelines" };

export default async function PipelinesPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Pipelines" description="Dataset or model to Slack, on demand or on a schedule." />
      <EmptyState
        icon={WorkflowIcon}
        title="No pipelines yet"
        description="A pipeline refreshes a dataset, builds its models and sends the result to a Slack destination, on demand or on a schedule."
      >
        <Button asChild>
          <Link href="/destinations">
            <SendIcon aria-hidden="true" />
            Add a destination first
          </Link>
        </Button>
      </EmptyState>
    </>
  );
}
