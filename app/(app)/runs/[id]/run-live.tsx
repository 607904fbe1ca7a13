"use client";

import { useCallback, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { CircleAlertIcon, ClockIcon, TriangleAlertIcon, WifiOffIcon } from "lucide-react";
import type { RunDetail } from "@/lib/pipeline/run-view";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { durationBetween, formatDuration, formatPreciseDateTime } from "@/lib/format";
import { isActiveRun, runDisplayStatus, RunStatusBadge, stepLabel, triggerLabel, type StepName } from "@/components/pipelines/run-status";
import { useLiveStatus } from "@/components/live-status/use-live-status";
import type { RunChange } from "../actions";
import { RunControls } from "./run-controls";
import { RunTimeline } from "./run-timeline";
import { BuildsTable, DeliveriesTable, LoadProgress, StepTimeline } from "./run-sections";

/** After this many failed polls in a row the page says it is trying to reconnect. */
const QUIET_FAILURES = 3;

export type RunContext = {
  pipeline: { id: string; name: string } | null;
  dataset: { name: string } | null;
  /** Dataset version id → its number, for "version 3". */
  versionNumbers: Record<string, number>;
  destinationNames: Record<string, string>;
  canEdit: boolean;
  /** When the server rendered the page, so durations of a running run match on hydration. */
  renderedAt: string;
};

/**
 * The run page's body, live: while the run is queued or running it polls GET /api/runs/{id}
 * every second (useLiveStatus) and stops once the run has finished. A retry or cancel (or a
 * server refresh) hands in a new `initial` and polling resumes if the run is live again.
 */
export function RunLive({ initial, context }: { initial: RunDetail; context: RunContext }) {
  const router = useRouter();
  const [detail, setDetail] = useState(initial);
  const [fromServer, setFromServer] = useState(initial);
  if (fromServer !== initial) {
    // A fresh server render (router.refresh) is newer than what polling had.
    setFromServer(initial);
    setDetail(initial);
  }
  const [now, setNow] = useState(() => new Date(context.renderedAt));
  const [cancelRequested, setCancelRequested] = useState(false);
  const runId = detail.run.id;
  const active = isActiveRun(detail.run.status);
  const { failures, pollNow } = useLiveStatus<RunDetail>({
    url: `/api/runs/${runId}`,
    enabled: active,
    onData: (next) => {
      setDetail(next);
      // The clock for durations of running steps ticks with the polls.
      setNow(new Date());
      if (isActiveRun(next.run.status)) return;
      // The run has finished: one server refresh brings the dataset version and lists up to date.
      router.refresh();
      return "stop";
    },
    // Signed out or deleted: let the server page decide what to show.
    onGone: () => router.refresh(),
  });

  const onChanged = useCallback(
    (change: RunChange) => {
      if (change.cancelRequested && change.status === "running") setCancelRequested(true);
      // Asks at once; an answer to a poll sent before the change is dropped.
      pollNow();
      router.refresh();
    },
    [pollNow, router],
  );

  const { run, steps, load, builds, deliveries } = detail;
  const took = durationBetween(run.startedAt, run.finishedAt, run.status === "running" ? now : undefined);
  const failedStep = (run.error?.step as StepName | undefined) ?? steps.find((s) => s.status === "failed")?.name ?? null;
  const versionNumber = load?.versionId ? context.versionNumbers[load.versionId] : undefined;
  const datasetHref = context.dataset ? `/datasets/${encodeURIComponent(context.dataset.name)}` : null;

  return (
    <>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-2">
          <h1 className="text-2xl font-semibold tracking-tight break-words">
            Run of{" "}
            {context.pipeline ? (
              <Link href={`/pipelines/${context.pipeline.id}`} className="underline-offset-4 hover:underline">
                {context.pipeline.name}
              </Link>
            ) : (
              "a deleted pipeline"
            )}
          </h1>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
            <span role="status" aria-live="polite" className="flex items-center">
              <span className="sr-only">Status: </span>
              <RunStatusBadge status={runDisplayStatus(run)} data-testid="run-status" data-outcome={run.outcome ?? undefined} />
              {run.warnings.length && run.status !== "failed" ? (
                <a
                  href="#run-warnings"
                  className="ml-2 text-xs font-medium text-amber-800 underline-offset-4 hover:underline dark:text-amber-300"
                  data-testid="run-has-warnings"
                >
                  {run.warnings.length === 1 ? "1 warning" : `${run.warnings.length} warnings`}
                </a>
              ) : null}
            </span>
            <span>
              {triggerLabel(run.trigger)} run{run.force ? " (force)" : ""}
            </span>
            {took !== null ? (
              <span className="text-muted-foreground tabular-nums" data-testid="run-duration">
                {run.finishedAt ? "took" : "running for"} {formatDuration(took)}
              </span>
            ) : null}
          </div>
          <dl className="text-muted-foreground grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
            <dt>Requested</dt>
            <dd>
              <time dateTime={run.createdAt}>{formatPreciseDateTime(run.createdAt)}</time>
            </dd>
            {run.startedAt ? (
              <>
                <dt>Started</dt>
                <dd>
                  <time dateTime={run.startedAt}>{formatPreciseDateTime(run.startedAt)}</time>
                </dd>
              </>
            ) : null}
            {run.finishedAt ? (
              <>
                <dt>Finished</dt>
                <dd>
                  <time dateTime={run.finishedAt}>{formatPreciseDateTime(run.finishedAt)}</time>
                </dd>
              </>
            ) : null}
          </dl>
        </div>
        {context.canEdit ? (
          <RunControls
            runId={run.id}
            status={run.status}
            failedStep={failedStep}
            cancelRequested={cancelRequested && run.status === "running"}
            onChanged={onChanged}
          />
        ) : null}
      </div>

      {failures >= QUIET_FAILURES && active ? (
        <Alert role="status">
          <WifiOffIcon aria-hidden="true" />
          <AlertDescription>Lost contact with the server; still trying. What you see may be a few seconds old.</AlertDescription>
        </Alert>
      ) : null}

      {run.status === "failed" && run.error ? (
        <Alert variant="destructive" data-testid="run-error">
          <CircleAlertIcon aria-hidden="true" />
          <AlertTitle>{failedStep ? `The ${stepLabel(failedStep).toLowerCase()} step failed` : "The run failed"}</AlertTitle>
          <AlertDescription>
            <p className="break-words">{run.error.message}</p>
          </AlertDescription>
        </Alert>
      ) : null}

      {run.warnings.length ? (
        <Alert id="run-warnings" data-testid="run-warnings" className="border-amber-300 dark:border-amber-700">
          <TriangleAlertIcon aria-hidden="true" className="text-amber-600" />
          <AlertTitle>{run.warnings.length === 1 ? "A warning" : `${run.warnings.length} warnings`}</AlertTitle>
          <AlertDescription>
            <ul className="list-disc pl-4">
              {run.warnings.map((w, i) => (
                <li key={i} className="break-words">
                  {w}
                </li>
              ))}
            </ul>
          </AlertDescription>
        </Alert>
      ) : null}

      {run.status === "queued" && steps.length === 0 ? (
        <Alert role="status">
          <ClockIcon aria-hidden="true" />
          <AlertTitle>Waiting to start</AlertTitle>
          <AlertDescription>Another run of this pipeline is in progress; this one starts as soon as it finishes.</AlertDescription>
        </Alert>
      ) : null}

      {steps.length ? (
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Timeline</h2>
            </CardTitle>
            <CardDescription>Each step on one clock from the request; dashed gaps are waits for a worker.</CardDescription>
          </CardHeader>
          <CardContent>
            <RunTimeline run={run} steps={steps} now={now} />
          </CardContent>
        </Card>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)] lg:items-start">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Steps</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            {steps.length ? (
              <StepTimeline steps={steps} now={now} />
            ) : (
              <p className="text-muted-foreground text-sm">No step has started yet.</p>
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Dataset load</h2>
            </CardTitle>
            <CardDescription>
              {context.dataset && datasetHref ? (
                <>
                  <Link
                    href={datasetHref}
                    className="text-foreground font-mono underline-offset-4 hover:underline"
                    data-testid="run-dataset-link"
                  >
                    {context.dataset.name}
                  </Link>
                  {load?.versionId ? (versionNumber ? `, version ${versionNumber}` : ", a new version") : ""}
                </>
              ) : (
                "The dataset was deleted."
              )}
            </CardDescription>
          </CardHeader>
          <CardContent>
            {load ? (
              <LoadProgress load={load} runCancelled={run.status === "cancelled"} />
            ) : (
              <p className="text-muted-foreground text-sm">The load starts with the run.</p>
            )}
          </CardContent>
        </Card>
      </div>

      <Card className="pb-0">
        <CardHeader>
          <CardTitle>
            <h2>Models built</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="px-0">
          {builds.length ? (
            <BuildsTable builds={builds} />
          ) : (
            <p className="text-muted-foreground px-6 pb-6 text-sm">
              {noBuildsText(
                run.status,
                steps.find((s) => s.name === "transform"),
              )}
            </p>
          )}
        </CardContent>
      </Card>

      <Card className="pb-0">
        <CardHeader>
          <CardTitle>
            <h2>Messages sent</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="px-0">
          {deliveries.length ? (
            <DeliveriesTable deliveries={deliveries} destinationNames={context.destinationNames} />
          ) : (
            <p className="text-muted-foreground px-6 pb-6 text-sm">
              {noMessagesText(
                run.status,
                steps.find((s) => s.name === "deliver"),
              )}
            </p>
          )}
        </CardContent>
      </Card>
    </>
  );
}

type StepLike = RunDetail["steps"][number] | undefined;

/** "skipped: the fetch step failed" → "the fetch step failed", to follow "None:" without a second colon. */
const why = (reason: string) => reason.replace(/^skipped:\s*/i, "");

function noBuildsText(status: RunDetail["run"]["status"], transform: StepLike): string {
  if (transform?.status === "succeeded") return "No models to build: none use this dataset, or the pipeline chose none.";
  if (transform?.status === "skipped") return transform.skipReason ? `None: ${why(transform.skipReason)}.` : "None: the step was skipped.";
  if (status === "cancelled") return "None: the run was cancelled first.";
  if (status === "failed") return "None: the run failed before building.";
  return "None yet.";
}

function noMessagesText(status: RunDetail["run"]["status"], deliver: StepLike): string {
  if (deliver?.status === "succeeded")
    return deliver.skipReason ? `Nothing sent: ${why(deliver.skipReason)}.` : "This pipeline has no messages to send.";
  if (deliver?.status === "skipped")
    return deliver.skipReason ? `Nothing sent: ${why(deliver.skipReason)}.` : "Nothing sent: the step was skipped.";
  if (status === "cancelled") return "Nothing sent: the run was cancelled.";
  if (status === "failed") return "Nothing sent: the run failed before delivering.";
  return "None yet.";
}
