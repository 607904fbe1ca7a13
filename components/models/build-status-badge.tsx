import { CircleAlertIcon, CircleCheckIcon, CircleDashedIcon, CircleSlashIcon, LoaderCircleIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";
import type { BuildStatus } from "./build-view";

const LABELS: Record<BuildStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped",
};

export function buildStatusLabel(status: BuildStatus): string {
  return LABELS[status] ?? status;
}

/** A build's status as a pill; the icon is decorative, the label carries the meaning. */
export function BuildStatusBadge({
  status,
  className,
  testId,
  label,
}: {
  status: BuildStatus | null;
  className?: string;
  testId?: string;
  /** Instead of the status's own word (a typed model says "Loaded"). */
  label?: string;
}) {
  if (!status) {
    return (
      <Badge variant="outline" data-testid={testId} className={cn("text-muted-foreground", className)}>
        <CircleDashedIcon aria-hidden="true" />
        Not built yet
      </Badge>
    );
  }
  const Icon =
    status === "succeeded"
      ? CircleCheckIcon
      : status === "failed"
        ? CircleAlertIcon
        : status === "skipped"
          ? CircleSlashIcon
          : LoaderCircleIcon;
  const active = status === "queued" || status === "running";
  return (
    <Badge
      data-testid={testId}
      data-status={status}
      variant={status === "failed" ? "destructive" : status === "succeeded" ? "outline" : "secondary"}
      className={cn(status === "succeeded" && "border-emerald-600/40 text-emerald-800 dark:text-emerald-300", className)}
    >
      <Icon aria-hidden="true" className={cn(active && "animate-spin motion-reduce:animate-none")} />
      {label ?? buildStatusLabel(status)}
    </Badge>
  );
}
