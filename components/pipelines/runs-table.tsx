import Link from "next/link";
import type { RunSummary } from "@/lib/pipeline/run-view";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { durationBetween, formatCount, formatDateTime, formatDuration, formatRelativeTime } from "@/lib/format";
import { RunStatusBadge, runDisplayStatus, stepLabel, triggerLabel } from "./run-status";

export type RunRow = { run: RunSummary; pipeline?: { id: string; name: string } | null };

/** Rows loaded by a run: its load step's count, when it got that far. */
export function rowsLoaded(run: RunSummary): number | null {
  return run.steps.find((s) => s.name === "load")?.rows ?? null;
}

/** A table of runs, newest first; server-rendered (times relative to `now`). */
export function RunsTable({
  rows,
  now,
  showPipeline,
  label,
  testId = "runs-table",
}: {
  rows: RunRow[];
  now: Date;
  showPipeline: boolean;
  label: string;
  testId?: string;
}) {
  return (
    <Table aria-label={label} data-testid={testId}>
      <TableHeader>
        <TableRow>
          <TableHead className="pl-4">Run</TableHead>
          <TableHead>Status</TableHead>
          {showPipeline ? <TableHead>Pipeline</TableHead> : null}
          <TableHead>Trigger</TableHead>
          <TableHead className="text-right">Duration</TableHead>
          <TableHead className="text-right">Rows loaded</TableHead>
          <TableHead className="pr-4">Error</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map(({ run, pipeline }) => {
          const created = new Date(run.createdAt);
          const took = durationBetween(run.startedAt, run.finishedAt, run.status === "running" ? now : undefined);
          return (
            <TableRow
              key={run.id}
              data-testid="run-row"
              data-run-id={run.id}
              data-status={run.status}
              data-outcome={run.outcome ?? undefined}
            >
              <TableCell className="pl-4">
                <Link
                  href={`/runs/${run.id}`}
                  className="focus-visible:ring-ring/50 rounded-sm font-medium underline-offset-4 outline-none hover:underline focus-visible:ring-[3px]"
                >
                  <span className="sr-only">Run from </span>
                  <time dateTime={run.createdAt} title={formatDateTime(created)}>
                    {formatRelativeTime(created, now)}
                  </time>
                </Link>
              </TableCell>
              <TableCell>
                <RunStatusBadge status={runDisplayStatus(run)} />
              </TableCell>
              {showPipeline ? (
                <TableCell className="max-w-48 truncate">
                  {pipeline ? (
                    <Link href={`/pipelines/${pipeline.id}`} className="underline-offset-4 hover:underline" title={pipeline.name}>
                      {pipeline.name}
                    </Link>
                  ) : (
                    <span className="text-muted-foreground">Deleted pipeline</span>
                  )}
                </TableCell>
              ) : null}
              <TableCell>
                {triggerLabel(run.trigger)}
                {run.force ? <span className="text-muted-foreground"> (force)</span> : null}
              </TableCell>
              <TableCell className="text-right tabular-nums">{took === null ? "—" : formatDuration(took)}</TableCell>
              <TableCell className="text-right tabular-nums">{formatCount(rowsLoaded(run))}</TableCell>
              <TableCell className="text-destructive max-w-72 pr-4 whitespace-normal">
                {run.error ? (
                  <span className="line-clamp-2 break-words" title={run.error.message}>
                    {run.error.step ? `${stepLabel(run.error.step as Parameters<typeof stepLabel>[0])}: ` : ""}
                    {run.error.message}
                  </span>
                ) : null}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
