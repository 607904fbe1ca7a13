import Link from "next/link";
import { HistoryIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";

export default function RunNotFound() {
  return (
    <>
      <h1 className="sr-only">Run not found</h1>
      <EmptyState
        icon={HistoryIcon}
        title="No such run"
        description="It may have been deleted with its pipeline, or the address is mistyped."
      >
        <Button asChild variant="outline">
          <Link href="/runs">All runs</Link>
        </Button>
      </EmptyState>
    </>
  );
}
