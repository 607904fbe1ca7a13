"use client";

import { Progress } from "@/components/ui/progress";
import { LoadStatusBadge, phaseLabel, StatusBadge } from "@/components/dataset-status";
import { formatBytes, formatCount, formatDateTime, formatDuration } from "@/lib/format";
import { useDatasetLive } from "./dataset-live";
import type { LoadView } from "./load-view";

/**
 * The newest load, live: it reads the page's one live state (DatasetLive), which follows a queued
 * or running load every second and, when it ends, re-reads the page so the header, schema,
 * preview and history change together with this panel. Until then it says "finishing", never
 * "succeeded" over a header that still says "Queued".
 */
export function LoadStatus() {
  const { load, active, finishing } = useDatasetLive();

  if (!load) {
    return (
      <p data-testid="load-status" className="text-muted-foreground text-sm">
        This dataset has not been loaded yet.
      </p>
    );
  }

  if (finishing) {
    // Between the load's end and the re-read page: nothing here may run ahead of the rest of the page.
    return (
      <div className="flex flex-col gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <StatusBadge kind="loading" label="Finishing" />
          <p data-testid="load-status" role="status" className="text-sm font-medium">
            The load has ended; updating the page…
          </p>
        </div>
        <Progress data-testid="load-progress" value={100} aria-label="Load progress" />
      </div>
    );
  }

  if (active) {
    const phase = load.status === "queued" ? null : phaseLabel(load.phase);
    const known = load.bytesTotal !== null && load.bytesTotal > 0;
    const percent = known ? Math.min(100, Math.round((load.bytesRead / load.bytesTotal!) * 100)) : null;
    const bytesText = known
      ? `${formatBytes(load.bytesRead)} of ${formatBytes(load.bytesTotal)} (${percent}%)`
      : load.bytesRead > 0
        ? `${formatBytes(load.bytesRead)} read`
        : null;
    return (
      <div className="flex flex-col gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <LoadStatusBadge status={load.status} />
          <p data-testid="load-status" role="status" className="text-sm font-medium">
            {load.status === "queued"
              ? load.error
                ? "Queued to retry after an error"
                : "Queued: waiting for a worker"
              : phase
                ? `Running: ${phase}`
                : "Running"}
          </p>
        </div>
        <Progress
          data-testid="load-progress"
          value={load.status === "queued" ? null : percent}
          aria-label="Load progress"
          getValueLabel={() => bytesText ?? ""}
        />
        <p className="text-muted-foreground flex flex-wrap gap-x-6 gap-y-1 text-xs tabular-nums">
          {bytesText ? <span>{bytesText}</span> : <span>Size not known yet</span>}
          <span>
            <span data-testid="load-rows">{formatCount(load.rowsLoaded)}</span> rows loaded
          </span>
        </p>
        {load.status === "queued" && load.error ? (
          <p className="text-muted-foreground text-xs">Last attempt: {load.error.message}</p>
        ) : load.status === "queued" ? (
          <p className="text-muted-foreground text-xs">If this stays queued, check on the dashboard that a worker is running.</p>
        ) : null}
      </div>
    );
  }

  const took = load.startedAt && load.finishedAt ? Date.parse(load.finishedAt) - Date.parse(load.startedAt) : null;
  const finished = load.finishedAt ? new Date(load.finishedAt) : null;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <LoadStatusBadge status={load.status} />
      <p data-testid="load-status" role="status" className="text-sm">
        {summary(load)}
        {took !== null ? ` in ${formatDuration(took)}` : ""}
        {finished ? (
          <>
            {" · finished "}
            <time dateTime={load.finishedAt!}>{formatDateTime(finished)}</time>
          </>
        ) : null}
      </p>
    </div>
  );
}

function summary(load: LoadView): string {
  switch (load.status) {
    case "succeeded":
      return `Last load succeeded: ${formatCount(load.rowsLoaded)} rows${load.skippedCount ? `, ${formatCount(load.skippedCount)} skipped` : ""}`;
    case "unchanged":
      return "Last load found the file unchanged; nothing was reloaded";
    case "failed":
      // The error itself is shown in full below, once the page has refreshed.
      return load.error?.line ? `Last load failed at line ${formatCount(load.error.line)}` : "Last load failed";
    case "cancelled":
      return "Last load was cancelled";
    default:
      return `Last load: ${load.status}`;
  }
}
