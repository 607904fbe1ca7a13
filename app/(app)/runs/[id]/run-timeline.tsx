import type { RunDetail } from "@/lib/pipeline/run-view";
import { buildTimeline, type TimelineBar } from "@/lib/pipeline/timeline";
import { formatDuration } from "@/lib/format";
import { statusLabel, stepLabel, type StepName, type StepStatus } from "@/components/pipelines/run-status";
import { cn } from "@/lib/utils";

type Bar = TimelineBar<StepName, StepStatus>;

// The badges' colours (components/pipelines/run-status.tsx), as fills.
const BAR_COLOURS: Record<StepStatus, string> = {
  succeeded: "bg-emerald-600 dark:bg-emerald-500",
  failed: "bg-destructive",
  running: "bg-primary animate-pulse motion-reduce:animate-none",
  queued: "bg-muted-foreground/30",
  skipped: "bg-muted-foreground/40",
  cancelled: "bg-muted-foreground/60",
};

function waitText(bar: Bar): string | null {
  if (!bar.wait) return null;
  const ms = formatDuration(bar.wait.ms);
  return bar.wait.after ? `waited ${ms} for a worker after ${stepLabel(bar.wait.after).toLowerCase()}` : `waited ${ms} to start`;
}

/** "Load: succeeded, 2.3 s, started 120 ms after fetch ended" — what a screen reader hears per bar. */
function barLabel(bar: Bar): string {
  const name = `${stepLabel(bar.name)}: ${statusLabel(bar.status).toLowerCase()}`;
  if (!bar.placed) return `${name}, did not run`;
  const took = `${bar.running ? "running for " : ""}${formatDuration(bar.durationMs)}`;
  const when = bar.wait?.after
    ? `started ${formatDuration(bar.wait.ms)} after ${stepLabel(bar.wait.after).toLowerCase()} ended`
    : `started ${formatDuration(bar.startMs)} after the run was requested`;
  return `${name}, ${took}, ${when}`;
}

/**
 * The steps on one time axis, from the moment the run was requested to its end (or now while it
 * runs): a bar per step, the waits between them as dashed gaps. Fed by the polled run detail, so
 * it grows with the run.
 */
export function RunTimeline({ run, steps, now }: { run: RunDetail["run"]; steps: RunDetail["steps"]; now: Date }) {
  const { totalMs, bars } = buildTimeline({ createdAt: run.createdAt, finishedAt: run.finishedAt, steps, now });
  return (
    <div className="flex min-w-0 flex-col gap-2" data-testid="run-timeline">
      <ol className="flex flex-col gap-2" aria-label="Step timeline">
        {bars.map((bar) => {
          const wait = waitText(bar);
          return (
            <li key={bar.name} className="grid grid-cols-1 gap-x-3 gap-y-1 sm:grid-cols-[9rem_minmax(0,1fr)] sm:items-center">
              <div className="flex min-w-0 items-baseline justify-between gap-2 text-sm sm:flex-col sm:items-start sm:gap-0">
                <span className="font-medium">{stepLabel(bar.name)}</span>
                <span className="text-muted-foreground text-xs tabular-nums" aria-hidden="true">
                  {bar.placed ? `${formatDuration(bar.durationMs)}${bar.running ? " so far" : ""}` : statusLabel(bar.status).toLowerCase()}
                  {bar.wait && bar.wait.ms > 0 ? ` · +${formatDuration(bar.wait.ms)} wait` : ""}
                </span>
              </div>
              <div className="bg-muted/50 relative h-5 overflow-hidden rounded-sm">
                {bar.wait && bar.wait.ms > 0 ? (
                  <span
                    aria-hidden="true"
                    title={wait ?? undefined}
                    data-testid="timeline-wait"
                    className="border-muted-foreground/50 absolute top-1/2 h-0 border-t border-dashed"
                    style={{ left: `${bar.wait.leftPct}%`, width: `${bar.wait.widthPct}%` }}
                  />
                ) : null}
                <span
                  role="img"
                  aria-label={barLabel(bar)}
                  title={bar.placed ? `${barLabel(bar)}${wait && bar.wait?.after ? ` (${wait})` : ""}` : barLabel(bar)}
                  data-testid="timeline-step"
                  data-step={bar.name}
                  data-status={bar.status}
                  data-placed={bar.placed}
                  data-offset-ms={bar.startMs ?? undefined}
                  data-duration-ms={bar.durationMs ?? undefined}
                  className={cn(
                    "absolute inset-y-0 rounded-sm",
                    bar.placed
                      ? cn("min-w-[3px]", BAR_COLOURS[bar.status])
                      : // A step that never ran: a faint hatch across the track, no position.
                        "inset-x-0 bg-[repeating-linear-gradient(135deg,transparent_0_6px,var(--color-border)_6px_8px)]",
                  )}
                  style={bar.placed ? { left: `${bar.leftPct}%`, width: `${bar.widthPct}%` } : undefined}
                />
              </div>
            </li>
          );
        })}
      </ol>
      <div className="text-muted-foreground flex justify-between text-xs tabular-nums sm:ml-[calc(9rem+0.75rem)]" aria-hidden="true">
        <span>0 s</span>
        <span>{formatDuration(totalMs / 2)}</span>
        <span>{formatDuration(totalMs)}</span>
      </div>
      <p className="sr-only">
        The axis runs from when the run was requested to {run.finishedAt ? "when it ended" : "now"}, {formatDuration(totalMs)} in all.
      </p>
    </div>
  );
}
