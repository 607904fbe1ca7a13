import Link from "next/link";
import { CircleAlertIcon, CircleCheckIcon, RefreshCwIcon } from "lucide-react";
import type { RunDetail } from "@/lib/pipeline/run-view";
import { Progress } from "@/components/ui/progress";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { phaseLabel } from "@/components/dataset-status";
import { deliveryKindLabel, DeliveryStatusBadge } from "@/components/destinations/delivery-status";
import { durationBetween, formatBytes, formatCount, formatDuration, formatPreciseDateTime } from "@/lib/format";
import { RunStatusBadge, stepLabel } from "@/components/pipelines/run-status";
import { cn } from "@/lib/utils";
import { isBlockingResult } from "@/lib/transform/test-severity";
import { StepLog } from "./step-log";

// The run page's sections, fed by the polled run detail (plain JSON: dates as ISO text).

type Step = RunDetail["steps"][number];
type Load = NonNullable<RunDetail["load"]>;

function countsText(step: Step): string[] {
  const c = step.counts ?? {};
  const out: string[] = [];
  if (c.bytes !== undefined && step.name === "fetch") out.push(`${formatBytes(c.bytes)} fetched`);
  if (c.rows !== undefined) out.push(`${formatCount(c.rows)} rows loaded`);
  if (c.rowsPadded) out.push(`${formatCount(c.rowsPadded)} padded with NULLs`);
  if (c.rowsSkipped) out.push(`${formatCount(c.rowsSkipped)} skipped`);
  if (c.models !== undefined) out.push(`${formatCount(c.models)} ${c.models === 1 ? "model" : "models"} built`);
  if (c.tests !== undefined)
    out.push(
      `${formatCount(c.tests)} ${c.tests === 1 ? "test" : "tests"}${c.testsFailed ? `, ${formatCount(c.testsFailed)} failed` : c.tests ? ", all passed" : ""}`,
    );
  if (c.messages !== undefined) out.push(`${formatCount(c.messages)} ${c.messages === 1 ? "message" : "messages"} sent`);
  return out;
}

/** The five steps in order, each with its status, time, counts, and its log behind a disclosure. */
export function StepTimeline({ steps, now }: { steps: Step[]; now: Date }) {
  return (
    <ol className="flex flex-col" aria-label="Steps">
      {steps.map((step, i) => {
        const took = durationBetween(step.startedAt, step.finishedAt, step.status === "running" ? now : undefined);
        const counts = countsText(step);
        const last = i === steps.length - 1;
        return (
          <li key={step.name} data-testid={`step-${step.name}`} data-status={step.status} className="relative flex gap-3 pb-5 last:pb-0">
            {/* The connecting line is decoration; the order of the list carries the sequence. */}
            {last ? null : <span aria-hidden="true" className="bg-border absolute top-7 bottom-0 left-[0.6875rem] w-px" />}
            <span
              aria-hidden="true"
              className={cn(
                "bg-background relative z-10 mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full border text-xs font-medium tabular-nums",
                step.status === "succeeded" && "border-emerald-600/60 text-emerald-800 dark:text-emerald-300",
                step.status === "failed" && "border-destructive text-destructive",
                step.status === "running" && "border-primary",
              )}
            >
              {i + 1}
            </span>
            <div className="flex min-w-0 flex-1 flex-col gap-1">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <h3 className="font-medium">{stepLabel(step.name)}</h3>
                <RunStatusBadge status={step.status} />
                {took !== null ? <span className="text-muted-foreground text-xs tabular-nums">{formatDuration(took)}</span> : null}
              </div>
              {counts.length ? <p className="text-muted-foreground text-sm tabular-nums">{counts.join(" · ")}</p> : null}
              {step.attempt > 1 ? (
                <p
                  className="flex items-center gap-1.5 text-xs text-amber-800 dark:text-amber-300"
                  data-testid={`step-${step.name}-resumed`}
                >
                  <RefreshCwIcon aria-hidden="true" className="size-3.5" />
                  Resumed on another worker (attempt {step.attempt})
                </p>
              ) : null}
              {/* "cancelled" would only repeat the badge. */}
              {step.skipReason && step.skipReason !== step.status ? (
                <p className="text-muted-foreground text-xs break-words">{capitalize(step.skipReason)}</p>
              ) : null}
              {step.error ? (
                <p className="text-destructive text-sm break-words">
                  {step.error.message}
                  {step.error.detail && step.error.detail !== step.error.message ? (
                    <span className="text-destructive/80 block text-xs">{step.error.detail}</span>
                  ) : null}
                </p>
              ) : null}
              {step.log.length ? (
                <details className="group mt-1 rounded-md border" open={step.status === "failed" || undefined}>
                  <summary className="focus-visible:ring-ring/50 cursor-pointer rounded-md px-3 py-1.5 text-xs font-medium outline-none focus-visible:ring-[3px]">
                    Log ({step.log.length} {step.log.length === 1 ? "line" : "lines"})
                  </summary>
                  <StepLog lines={step.log} stepName={step.name} />
                </details>
              ) : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The dataset load this run drives: a live bar with bytes and rows. */
export function LoadProgress({ load, runCancelled }: { load: Load; runCancelled: boolean }) {
  // A load stopped by a cancelled run is recorded as failed; what the user did is the better word.
  const stoppedByCancel = runCancelled && (load.status === "failed" || load.status === "cancelled");
  const total = load.bytesTotal === null ? null : Number(load.bytesTotal);
  const read = Number(load.bytesRead ?? 0);
  const done = load.status === "succeeded" || load.status === "unchanged";
  const known = total !== null && total > 0;
  // Indeterminate (no aria-valuenow) only while running with no known size; finished bars hold still.
  const percent = done ? 100 : known ? Math.min(100, Math.round((read / total) * 100)) : load.status === "running" ? null : 0;
  const bytesText = known
    ? `${formatBytes(read)} of ${formatBytes(total)}`
    : read > 0
      ? `${formatBytes(read)} read`
      : load.status === "running" || load.status === "queued"
        ? "Size not known yet"
        : "Nothing read";
  const phase = load.status === "running" ? phaseLabel(load.phase) : null;
  const statusText = stoppedByCancel
    ? "Stopped: the run was cancelled"
    : load.status === "queued"
      ? "Waiting for a worker"
      : load.status === "running"
        ? phase
          ? `Running: ${phase}`
          : "Running"
        : load.status === "unchanged"
          ? "The file has not changed since the last version"
          : load.status === "succeeded"
            ? "Loaded"
            : load.status === "failed"
              ? "Failed"
              : "Cancelled";
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm font-medium" data-testid="run-load-status">
        {statusText}
      </p>
      <Progress
        data-testid="run-progress"
        value={percent}
        aria-label="Load progress"
        getValueLabel={(value) => `${value}%, ${bytesText}`}
        className={cn(load.status === "failed" && !stoppedByCancel && "[&>[data-slot=progress-indicator]]:bg-destructive")}
      />
      <p className="text-muted-foreground flex flex-wrap gap-x-6 gap-y-1 text-xs tabular-nums">
        <span>
          {bytesText}
          {percent !== null && known ? ` (${percent}%)` : ""}
        </span>
        <span>
          <span data-testid="run-rows">{formatCount(Number(load.rowsLoaded ?? 0))}</span> rows loaded
        </span>
      </p>
      {load.error && !stoppedByCancel ? (
        <p className="text-destructive text-sm break-words">
          {load.error.message}
          {load.error.line ? ` (line ${formatCount(load.error.line)})` : ""}
        </p>
      ) : null}
    </div>
  );
}

/** Models the run built, with their data tests. */
export function BuildsTable({ builds }: { builds: RunDetail["builds"] }) {
  return (
    <Table aria-label="Models built" data-testid="run-builds">
      <TableHeader>
        <TableRow>
          <TableHead className="pl-4">Model</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Rows</TableHead>
          <TableHead className="pr-4">Data tests</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {builds.map((b) => {
          const notPassed = b.tests.filter((t) => t.status !== "passed");
          const blocking = notPassed.some(isBlockingResult);
          return (
            <TableRow key={b.model} data-testid="run-build" data-status={b.status}>
              <TableCell className="pl-4 align-top font-mono text-xs">
                <Link href={`/models/${encodeURIComponent(b.model)}`} className="underline-offset-4 hover:underline">
                  {b.model}
                </Link>
              </TableCell>
              <TableCell className="align-top whitespace-normal">
                <div className="flex flex-col items-start gap-1">
                  <RunStatusBadge status={b.status} />
                  {b.error ? <span className="text-destructive max-w-80 text-xs break-words">{b.error}</span> : null}
                  {b.skippedBecause ? <span className="text-muted-foreground max-w-80 text-xs break-words">{b.skippedBecause}</span> : null}
                </div>
              </TableCell>
              <TableCell className="text-right align-top tabular-nums">{formatCount(b.rows)}</TableCell>
              <TableCell className="pr-4 align-top whitespace-normal">
                {b.tests.length === 0 ? (
                  <span className="text-muted-foreground text-xs">None</span>
                ) : (
                  <div className="flex flex-col gap-1 text-xs">
                    <span
                      className={cn(
                        "flex items-center gap-1",
                        blocking
                          ? "text-destructive"
                          : notPassed.length
                            ? "text-amber-800 dark:text-amber-300"
                            : "text-emerald-800 dark:text-emerald-300",
                      )}
                    >
                      {notPassed.length ? (
                        <CircleAlertIcon aria-hidden="true" className="size-3.5" />
                      ) : (
                        <CircleCheckIcon aria-hidden="true" className="size-3.5" />
                      )}
                      {b.tests.length - notPassed.length} of {b.tests.length} passed
                    </span>
                    {notPassed.length ? (
                      <ul className="list-inside list-disc">
                        {notPassed.map((t) => (
                          <li
                            key={t.name}
                            className={cn("break-words", isBlockingResult(t) ? "text-destructive" : "text-amber-800 dark:text-amber-300")}
                            data-testid="run-test-result"
                            data-status={t.status}
                          >
                            {t.name}: {t.status}
                            {t.failingRows ? ` (${formatCount(t.failingRows)} rows)` : ""}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </div>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** Messages the run posted (or tried to), and any failure alert. */
export function DeliveriesTable({
  deliveries,
  destinationNames,
}: {
  deliveries: RunDetail["deliveries"];
  destinationNames: Record<string, string>;
}) {
  return (
    <Table aria-label="Messages sent" data-testid="run-deliveries">
      <TableHeader>
        <TableRow>
          <TableHead className="pl-4">Destination</TableHead>
          <TableHead>Kind</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Attempts</TableHead>
          <TableHead className="pr-4">Sent</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deliveries.map((d) => {
          const name = destinationNames[d.destinationId];
          return (
            <TableRow key={d.id} data-testid="run-delivery" data-status={d.status}>
              <TableCell className="pl-4 align-top whitespace-normal">
                {name ? (
                  <Link href={`/destinations/${d.destinationId}`} className="underline-offset-4 hover:underline">
                    {name}
                  </Link>
                ) : (
                  <span className="text-muted-foreground">A deleted destination</span>
                )}
              </TableCell>
              <TableCell className="align-top">{deliveryKindLabel(d.kind)}</TableCell>
              <TableCell className="align-top whitespace-normal">
                <div className="flex flex-col items-start gap-1">
                  <DeliveryStatusBadge status={d.status} />
                  {d.error ? <span className="text-destructive max-w-80 text-xs break-words">{d.error}</span> : null}
                  {d.skipReason ? <span className="text-muted-foreground max-w-80 text-xs break-words">{d.skipReason}</span> : null}
                </div>
              </TableCell>
              <TableCell className="text-right align-top tabular-nums">{d.attempts}</TableCell>
              <TableCell className="pr-4 align-top text-xs">
                {d.sentAt ? (
                  <time dateTime={d.sentAt}>{formatPreciseDateTime(d.sentAt)}</time>
                ) : (
                  <span className="text-muted-foreground">—</span>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
