import Link from "next/link";
import { WorkflowIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";

export default function PipelineNotFound() {
  return (
    <>
      <h1 className="sr-only">Pipeline not found</h1>
      <EmptyState
        icon={WorkflowIcon}
        title="Pipeline not found"
        description="It may have been deleted with its dataset, or the link is mistyped."
      >
        <Button asChild>
          <Link href="/pipelines">All pipelines</Link>
        </Button>
      </EmptyState>
    </>
  );
}
