import { formatDateTime, formatUntil } from "@/lib/format";

/**
 * A pipeline's schedule in words over its next run ("Next in 5 hours", "Skipped while paused"), or
 * `manual` when it has no schedule: the pipelines list and the dataset page's hub say it the same way.
 */
export function ScheduleCell({
  words,
  paused,
  nextRunAt,
  now,
  manual,
}: {
  words: string | null;
  paused: boolean;
  nextRunAt: Date | null;
  now: Date;
  manual: string;
}) {
  if (!words) return <span className="text-muted-foreground">{manual}</span>;
  return (
    <span className="flex flex-col gap-0.5">
      <span>{words}</span>
      <span className="text-muted-foreground text-xs">
        {paused ? (
          "Skipped while paused"
        ) : nextRunAt ? (
          <>
            Next{" "}
            <time dateTime={nextRunAt.toISOString()} title={formatDateTime(nextRunAt)}>
              {formatUntil(nextRunAt, now)}
            </time>
          </>
        ) : (
          "No upcoming run"
        )}
      </span>
    </span>
  );
}
