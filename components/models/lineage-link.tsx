import Link from "next/link";
import { NetworkIcon } from "lucide-react";
import { lineageHref, type LineageKind } from "@/lib/lineage/graph";

/** A small "Lineage" link that opens the graph focused on this dataset, model or pipeline. */
export function LineageLink({ kind, name }: { kind: LineageKind; name: string }) {
  return (
    <Link
      href={lineageHref(kind, name)}
      data-testid="lineage-link"
      className="text-muted-foreground hover:text-foreground focus-visible:ring-ring/50 inline-flex w-fit items-center gap-1 rounded-sm text-sm underline-offset-4 outline-none hover:underline focus-visible:ring-[3px]"
    >
      <NetworkIcon className="size-4" aria-hidden="true" />
      Lineage
    </Link>
  );
}
