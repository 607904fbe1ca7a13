"use client";

import type { ReactNode } from "react";
import { StatusBadge } from "@/components/dataset-status";
import { formatCount, formatDateTime, formatRelativeTime } from "@/lib/format";
import { useDatasetLive } from "./dataset-live";

export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <dt className="text-muted-foreground text-xs">{term}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}

/**
 * The header's facts from the page's live state: status, rows, columns and last loaded always
 * agree with the load panel. `now` is the server's clock, so the relative time renders the same
 * on both sides. `children`: the facts the load does not move until the page is re-read.
 */
export function DatasetSummary({ now, children }: { now: string; children?: ReactNode }) {
  const live = useDatasetLive();
  const lastLoaded = live.lastLoadedAt ? new Date(live.lastLoadedAt) : null;
  return (
    <dl
      className="grid grid-cols-2 gap-4 rounded-xl border p-4 text-sm sm:grid-cols-3 lg:grid-cols-5"
      data-testid="dataset-summary"
      data-status={live.status.kind}
    >
      <Fact term="Status">
        <span data-testid="dataset-status">
          <StatusBadge kind={live.status.kind} label={live.status.label} />
        </span>
      </Fact>
      <Fact term="Rows">
        <span className="tabular-nums" data-testid="dataset-row-count">
          {formatCount(live.rowCount)}
        </span>
      </Fact>
      <Fact term="Columns">{live.columnCount || "—"}</Fact>
      <Fact term="Last loaded">
        <span data-testid="dataset-last-loaded">
          {lastLoaded ? (
            <time dateTime={lastLoaded.toISOString()} title={formatDateTime(lastLoaded)}>
              {formatRelativeTime(lastLoaded, new Date(now))}
            </time>
          ) : (
            "Never"
          )}
        </span>
      </Fact>
      {children}
    </dl>
  );
}

/** The schema's place before there are columns: says whether a load is on its way. */
export function SchemaPending() {
  const { active } = useDatasetLive();
  return (
    <p className="text-muted-foreground text-sm" data-testid="schema-pending">
      {active ? "Columns appear when this load finishes." : "Columns appear after the first successful load."}
    </p>
  );
}
