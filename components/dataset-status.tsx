import { CircleAlertIcon, CircleCheckIcon, CircleDashedIcon, LoaderCircleIcon } from "lucide-react";
import type { Dataset, DatasetLoad } from "@/db/schema/datasets";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

export type LoadStatus = DatasetLoad["status"];

const PHASES: Record<string, string> = {
  fetching: "fetching the file",
  loading: "loading rows",
  applying: "applying to staging",
  typing: "building the typed table",
};

/** What a load is doing, in words: "loading rows". Unknown phases are shown as they are. */
export function phaseLabel(phase: string | null | undefined): string | null {
  if (!phase) return null;
  return PHASES[phase] ?? phase;
}

export function isActiveLoad(status: LoadStatus | null | undefined): boolean {
  return status === "queued" || status === "running";
}

export type DisplayStatus = {
  kind: "queued" | "loading" | "ready" | "failed" | "new";
  label: string;
  /** The failed load's message, for a second line. */
  error?: string;
};

/**
 * One status for a dataset from its row and newest load: a queued or running load wins (with its
 * phase), otherwise the dataset's own status.
 */
export function datasetDisplayStatus(
  status: Dataset["status"],
  latest: Pick<DatasetLoad, "status" | "phase" | "error"> | null | undefined,
): DisplayStatus {
  if (latest?.status === "queued") return { kind: "queued", label: "Queued" };
  if (latest?.status === "running") {
    const phase = phaseLabel(latest.phase);
    return { kind: "loading", label: phase ? phase.charAt(0).toUpperCase() + phase.slice(1) : "Loading" };
  }
  // The worker marks the load finished a moment before the dataset; between the two writes (or
  // if the second never happened) the finished load tells the truth.
  const settled =
    status === "loading" && latest
      ? latest.status === "failed"
        ? "failed"
        : latest.status === "succeeded" || latest.status === "unchanged"
          ? "ready"
          : status
      : status;
  if (settled === "failed") return { kind: "failed", label: "Failed", error: latest?.error?.message };
  if (settled === "ready") return { kind: "ready", label: "Ready" };
  if (settled === "loading") return { kind: "loading", label: "Loading" };
  return { kind: "new", label: "Not loaded" };
}

const LOAD_LABELS: Record<LoadStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  unchanged: "Unchanged",
  cancelled: "Cancelled",
};

export function loadStatusLabel(status: LoadStatus): string {
  return LOAD_LABELS[status] ?? status;
}

function kindOfLoad(status: LoadStatus): DisplayStatus["kind"] {
  if (status === "queued") return "queued";
  if (status === "running") return "loading";
  if (status === "failed") return "failed";
  if (status === "cancelled") return "new";
  return "ready";
}

/** A status pill; the icon is decorative, the label carries the meaning. */
export function StatusBadge({ kind, label, className }: { kind: DisplayStatus["kind"]; label: string; className?: string }) {
  const Icon =
    kind === "failed" ? CircleAlertIcon : kind === "ready" ? CircleCheckIcon : kind === "new" ? CircleDashedIcon : LoaderCircleIcon;
  return (
    <Badge
      variant={kind === "failed" ? "destructive" : kind === "ready" ? "outline" : "secondary"}
      className={cn(
        kind === "ready" && "border-emerald-600/40 text-emerald-800 dark:text-emerald-300",
        kind === "new" && "text-muted-foreground",
        className,
      )}
    >
      <Icon aria-hidden="true" className={cn((kind === "loading" || kind === "queued") && "animate-spin motion-reduce:animate-none")} />
      {label}
    </Badge>
  );
}

export function LoadStatusBadge({ status }: { status: LoadStatus }) {
  return <StatusBadge kind={kindOfLoad(status)} label={loadStatusLabel(status)} />;
}
