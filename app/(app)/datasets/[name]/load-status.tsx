"use client";

import { useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { Progress } from "@/components/ui/progress";
import { isActiveLoad, LoadStatusBadge, phaseLabel } from "@/components/dataset-status";
import { formatBytes, formatCount, formatDateTime, formatDuration } from "@/lib/format";
import { useLiveStatus } from "@/components/live-status/use-live-status";
import { toLoadView, type LoadView } from "./load-view";

/**
 * The newest load, live: while it is queued or running this polls the latest-load route every
 * second (useLiveStatus), then refreshes the page once so the schema, preview and history catch
 * up. The page keys this component by load id and status, so a new load (or the finished one)
 * remounts it.
 */
export function LoadStatus({ datasetId, initial }: { datasetId: string; initial: LoadView | null }) {
  const router = useRouter();
  const [load, setLoad] = useState<LoadView | null>(initial);
  const active = isActiveLoad(load?.status);
  // Polling goes on past the load's own end until the dataset row has settled too.
  const [following, setFollowing] = useState(() => isActiveLoad(initial?.status));

  // The worker finishes the load row a moment before the dataset row: refresh once both have
  // settled (or after a few more answers), so the page does not show a stale "loading".
  const waitedForDataset = useRef(0);
  useLiveStatus<{ dataset?: { status?: string }; load: Parameters<typeof toLoadView>[0] | null }>({
    url: `/api/datasets/${datasetId}/loads/latest`,
    enabled: following,
    onData: (body) => {
      const next = body.load ? toLoadView(body.load) : null;
      setLoad(next);
      const settled = body.dataset?.status !== "loading" || ++waitedForDataset.current > 3;
      if ((!next || !isActiveLoad(next.status)) && settled) {
        setFollowing(false);
        router.refresh();
        return "stop";
      }
    },
    // Signed out, or the dataset is gone: let the page decide what to show.
    onGone: () => {
      setFollowing(false);
      router.refresh();
    },
  });

  if (!load) {
    return (
      <p data-testid="load-status" className="text-muted-foreground text-sm">
        This dataset has not been loaded yet.
      </p>
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
