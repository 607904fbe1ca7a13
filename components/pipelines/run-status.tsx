import {
  BanIcon,
  CircleAlertIcon,
  CircleCheckIcon,
  CircleDashedIcon,
  ClockIcon,
  LoaderCircleIcon,
  SkipForwardIcon,
  TriangleAlertIcon,
  type LucideIcon,
} from "lucide-react";
import type { ComponentProps } from "react";
import type { Run, RunStep } from "@/db/schema/pipelines";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

export type RunStatus = Run["status"];
export type StepStatus = RunStep["status"];
/** What a badge shows: a step's status, or a run's status with its outcome once it has ended. */
export type DisplayStatus = StepStatus | "succeeded_with_warnings";
export type RunTrigger = Run["trigger"];
export type StepName = RunStep["name"];

const LABELS: Record<DisplayStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  succeeded_with_warnings: "Succeeded with warnings",
  failed: "Failed",
  skipped: "Skipped",
  cancelled: "Cancelled",
};

const ICONS: Record<DisplayStatus, LucideIcon> = {
  queued: ClockIcon,
  running: LoaderCircleIcon,
  succeeded: CircleCheckIcon,
  succeeded_with_warnings: TriangleAlertIcon,
  failed: CircleAlertIcon,
  skipped: SkipForwardIcon,
  cancelled: BanIcon,
};

export function statusLabel(status: DisplayStatus): string {
  return LABELS[status] ?? status;
}

/** A run as people should read it: its outcome once it has ended, else where it is. */
export function runDisplayStatus(run: { status: RunStatus; outcome?: Run["outcome"] | null }): DisplayStatus {
  return run.outcome ?? run.status;
}

export function isActiveRun(status: RunStatus | null | undefined): boolean {
  return status === "queued" || status === "running";
}

const TRIGGERS: Record<RunTrigger, string> = { manual: "Manual", schedule: "Schedule", api: "API", retry: "Retry" };

export function triggerLabel(trigger: RunTrigger): string {
  return TRIGGERS[trigger] ?? trigger;
}

const STEP_NAMES: Record<StepName, string> = {
  fetch: "Fetch",
  load: "Load",
  transform: "Build models",
  test: "Test",
  deliver: "Deliver",
};

export function stepLabel(name: StepName): string {
  return STEP_NAMES[name] ?? name;
}

/** A run's or step's status pill; the icon is decorative, the label carries the meaning. */
export function RunStatusBadge({
  status,
  className,
  ...props
}: { status: DisplayStatus; className?: string } & Omit<ComponentProps<typeof Badge>, "children" | "variant">) {
  const Icon = ICONS[status] ?? CircleDashedIcon;
  return (
    <Badge
      variant={
        status === "failed"
          ? "destructive"
          : status === "succeeded" || status === "succeeded_with_warnings" || status === "skipped" || status === "cancelled"
            ? "outline"
            : "secondary"
      }
      className={cn(
        status === "succeeded" && "border-emerald-600/40 text-emerald-800 dark:text-emerald-300",
        status === "succeeded_with_warnings" && "border-amber-600/50 text-amber-800 dark:text-amber-300",
        (status === "skipped" || status === "cancelled") && "text-muted-foreground",
        className,
      )}
      data-status={status}
      {...props}
    >
      <Icon aria-hidden="true" className={cn(status === "running" && "animate-spin motion-reduce:animate-none")} />
      {statusLabel(status)}
    </Badge>
  );
}
