import Link from "next/link";
import { DatabaseIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";

export default function DatasetNotFound() {
  return (
    <>
      <h1 className="sr-only">Dataset not found</h1>
      <EmptyState
        icon={DatabaseIcon}
        title="No such dataset"
        description="It may have been deleted, or the name in the address is misspelled."
      >
        <Button asChild variant="outline">
          <Link href="/datasets">All datasets</Link>
        </Button>
      </EmptyState>
    </>
  );
}
