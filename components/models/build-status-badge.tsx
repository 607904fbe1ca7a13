import { CircleAlertIcon, CircleCheckIcon, CircleDashedIcon, CircleSlashIcon, LoaderCircleIcon, TriangleAlertIcon } from "lucide-react";
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

const plural = (n: number) => `${n} ${n === 1 ? "test" : "tests"}`;

/**
 * A finished build's outcome with its data tests, judged as runs judge them: the relation was
 * built, but a failed (blocking) test makes it a failure and a warned one a success that needs a
 * look ("Succeeded with warnings" on runs). "Succeeded" is left for builds whose tests all passed.
 */
export function buildOutcome(
  status: BuildStatus,
  tests?: { warned: number; failed: number } | null,
): { tone: "succeeded" | "warned" | "failed" | "other"; label: string } {
  if (status !== "succeeded") return { tone: status === "failed" ? "failed" : "other", label: buildStatusLabel(status) };
  if (tests?.failed) return { tone: "failed", label: `Built, ${plural(tests.failed)} failed` };
  if (tests?.warned) return { tone: "warned", label: `Built, ${plural(tests.warned)} warned` };
  return { tone: "succeeded", label: buildStatusLabel(status) };
}

/** A build's status as a pill; the icon is decorative, the label carries the meaning. */
export function BuildStatusBadge({
  status,
  className,
  testId,
  label,
  tests,
}: {
  status: BuildStatus | null;
  className?: string;
  testId?: string;
  /** Instead of the status's own word (a typed model says "Loaded"). */
  label?: string;
  /** The build's data tests by outcome (testCounts): a failed or warned test changes what the badge says. */
  tests?: { warned: number; failed: number } | null;
}) {
  if (!status) {
    return (
      <Badge variant="outline" data-testid={testId} className={cn("text-muted-foreground", className)}>
        <CircleDashedIcon aria-hidden="true" />
        Not built yet
      </Badge>
    );
  }
  const outcome = buildOutcome(status, tests);
  const Icon =
    outcome.tone === "succeeded"
      ? CircleCheckIcon
      : outcome.tone === "warned"
        ? TriangleAlertIcon
        : outcome.tone === "failed"
          ? CircleAlertIcon
          : status === "skipped"
            ? CircleSlashIcon
            : LoaderCircleIcon;
  const active = status === "queued" || status === "running";
  return (
    <Badge
      data-testid={testId}
      data-status={status}
      data-outcome={outcome.tone}
      variant={
        outcome.tone === "failed" ? "destructive" : outcome.tone === "succeeded" || outcome.tone === "warned" ? "outline" : "secondary"
      }
      className={cn(
        outcome.tone === "succeeded" && "border-emerald-600/40 text-emerald-800 dark:text-emerald-300",
        outcome.tone === "warned" && "border-amber-600/50 text-amber-800 dark:text-amber-300",
        className,
      )}
    >
      <Icon aria-hidden="true" className={cn(active && "animate-spin motion-reduce:animate-none")} />
      {outcome.tone === "succeeded" || outcome.tone === "other" ? (label ?? outcome.label) : outcome.label}
    </Badge>
  );
}
