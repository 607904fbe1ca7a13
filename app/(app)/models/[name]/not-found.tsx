import Link from "next/link";
import { BoxesIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";

export default function ModelNotFound() {
  return (
    <>
      <h1 className="sr-only">Model not found</h1>
      <EmptyState
        icon={BoxesIcon}
        title="There is no model by that name"
        description="It may have been deleted or renamed; models and datasets' typed models are listed on the models page."
      >
        <Button asChild>
          <Link href="/models">All models</Link>
        </Button>
      </EmptyState>
    </>
  );
}
