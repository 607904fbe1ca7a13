import { EyeIcon } from "lucide-react";
import type { Dataset } from "@/db/schema/datasets";
import { browserColumns } from "@/lib/datasets/rows";
import { RowBrowser } from "./row-browser";

/** The dataset page's rows: the row browser once something is loaded. */
export function RowsSection({ dataset, labelledBy }: { dataset: Dataset; labelledBy: string }) {
  if (!dataset.currentVersionId || dataset.columns.length === 0) {
    return (
      <p className="text-muted-foreground flex items-center gap-2 px-6 text-sm">
        <EyeIcon className="size-4" aria-hidden="true" />
        No rows to show yet.
      </p>
    );
  }
  return (
    <RowBrowser
      datasetId={dataset.id}
      // A load that swaps the table (a new version, or the same one read again) refetches rows and stats.
      contentKey={`${dataset.currentVersionId}:${dataset.lastLoadedAt?.toISOString() ?? ""}`}
      columns={browserColumns(dataset)}
      labelledBy={labelledBy}
    />
  );
}
