import Link from "next/link";
import type { ReactNode } from "react";
import { CalendarClockIcon, ChevronRightIcon, CircleAlertIcon, CircleCheckIcon, HistoryIcon, SendIcon } from "lucide-react";
import { getLogger } from "@/lib/log";
import { summarizeRuns } from "@/lib/pipeline/run-view";
import { scheduleInWords } from "@/lib/pipeline/schedule";
import { listPublicDestinations } from "@/lib/slack/destinations";
import { listPipelines, listRuns } from "@/db/queries/pipelines";
import type { Pipeline, Run } from "@/db/schema/pipelines";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import {
  runDisplayStatus,
  RunStatusBadge,
  statusLabel,
  stepLabel,
  type DisplayStatus,
  type StepName,
} from "@/components/pipelines/run-status";
import { rowsLoaded } from "@/components/pipelines/runs-table";
import { RunsChart, type RunPoint } from "@/components/pipelines/runs-chart";
import { durationBetween, formatDateTime, formatInZone, formatRelativeTime, formatUntil } from "@/lib/format";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Enough for any realistic day; past it the counts say "at least". */
const DAY_LIMIT = 2000;
const CHART_RUNS = 50;
const NEXT_SCHEDULED = 5;
const FAILURES = 5;
/** A failure older than this is history, not news: the runs page keeps it. */
const FAILURE_WINDOW_DAYS = 7;
/** The first line of a run's error, cut to what fits a card; the run page has the rest. */
const ERROR_HEAD_CHARS = 200;
/** The day's counts, by how runs went (a success with warnings counted apart from a clean one). */
const COUNTED: DisplayStatus[] = ["queued", "running", "succeeded", "succeeded_with_warnings", "failed", "cancelled"];

const labelFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

const firstLine = (text: string | undefined) => text?.split("\n", 1)[0]?.trim() ?? "";

/** "Build models: 1 model failed: sales — division by zero": the step, the message and the first line of its detail. */
function errorHead(run: Run): string {
  const message = firstLine(run.error?.message) || "No error message was recorded.";
  const detail = firstLine(run.error?.detail);
  const full = detail && !message.includes(detail) ? `${message} — ${detail}` : message;
  const head = full.length > ERROR_HEAD_CHARS ? `${full.slice(0, ERROR_HEAD_CHARS - 1)}…` : full;
  return run.error?.step ? `${stepLabel(run.error.step as StepName)}: ${head}` : head;
}

async function loadRunStats(now: Date) {
  const [day, recent, failed, pipelines, destinations] = await Promise.all([
    listRuns({ since: new Date(now.getTime() - DAY_MS) }, DAY_LIMIT + 1),
    listRuns({}, CHART_RUNS),
    listRuns({ status: "failed", since: new Date(now.getTime() - FAILURE_WINDOW_DAYS * DAY_MS) }, FAILURES),
    listPipelines(),
    listPublicDestinations(),
  ]);
  const summaries = await summarizeRuns(recent);
  const names = new Map(pipelines.map((p) => [p.id, p.name]));
  const counts = Object.fromEntries(COUNTED.map((s) => [s, 0])) as Record<DisplayStatus, number>;
  for (const run of day.slice(0, DAY_LIMIT)) counts[runDisplayStatus(run)]++;
  const points: RunPoint[] = summaries
    .slice()
    .reverse()
    .map((r) => {
      const took = durationBetween(r.startedAt, r.finishedAt);
      return {
        id: r.id,
        label: labelFormat.format(new Date(r.createdAt)),
        pipeline: names.get(r.pipelineId) ?? "Deleted pipeline",
        state: runDisplayStatus(r),
        status: statusLabel(runDisplayStatus(r)),
        durationSeconds: took === null ? null : Math.round(took / 100) / 10,
        rows: rowsLoaded(r),
      };
    });
  const scheduled = pipelines
    .filter((p): p is Pipeline & { nextRunAt: Date } => Boolean(p.scheduleCron && !p.paused && p.nextRunAt))
    .sort((a, b) => a.nextRunAt.getTime() - b.nextRunAt.getTime())
    .slice(0, NEXT_SCHEDULED);
  const failures = failed.map((run) => ({
    id: run.id,
    pipeline: names.get(run.pipelineId) ?? "Deleted pipeline",
    at: new Date(run.finishedAt ?? run.createdAt),
    error: errorHead(run),
  }));
  return {
    counts,
    capped: day.length > DAY_LIMIT,
    points,
    failures,
    scheduled,
    attention: destinations.filter((d) => d.status === "needs_attention"),
    destinationCount: destinations.length,
  };
}

/**
 * The first screen: runs in numbers, recent failures, what runs next and what needs fixing, then
 * `children` (stale datasets, onboarding) and the duration chart. Streams in below the header.
 */
export async function DashboardRuns({ canEdit, children }: { canEdit: boolean; children?: ReactNode }) {
  const now = new Date();
  let stats: Awaited<ReturnType<typeof loadRunStats>>;
  try {
    stats = await loadRunStats(now);
  } catch (err) {
    // The status line above already says what is down; this section just steps aside.
    getLogger().warn({ err }, "dashboard run statistics unavailable");
    return (
      <>
        <section aria-labelledby="runs-overview-heading" className="flex flex-col gap-2">
          <h2 id="runs-overview-heading" className="text-lg font-semibold">
            Runs
          </h2>
          <p className="text-muted-foreground text-sm" data-testid="runs-overview-unavailable">
            Run statistics are unavailable while the database cannot be read.{" "}
            <Link href="/status" className="underline underline-offset-4">
              See the service status
            </Link>
            .
          </p>
        </section>
        {children}
      </>
    );
  }

  const { counts, capped, points, failures, scheduled, attention, destinationCount } = stats;
  const succeeded = counts.succeeded + counts.succeeded_with_warnings;
  const finished = succeeded + counts.failed;
  const rate = finished ? Math.round((succeeded / finished) * 1000) / 10 : null;
  const total = COUNTED.reduce((n, s) => n + counts[s], 0);
  const atLeast = capped ? "at least " : "";

  return (
    <>
      <section aria-labelledby="runs-overview-heading" className="flex flex-col gap-4">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <h2 id="runs-overview-heading" className="text-lg font-semibold">
            Runs
          </h2>
          <Button asChild variant="ghost" size="sm">
            <Link href="/runs">
              <HistoryIcon aria-hidden="true" />
              All runs
            </Link>
          </Button>
        </div>

        <div className="grid gap-4 md:grid-cols-3">
          <Card className="gap-3 md:col-span-2" data-testid="runs-24h">
            <CardHeader>
              <CardTitle>
                <h3>Last 24 hours</h3>
              </CardTitle>
              <CardDescription>
                {total === 0 ? "No runs in the last 24 hours." : `${atLeast}${total} ${total === 1 ? "run" : "runs"}, by status.`}
              </CardDescription>
            </CardHeader>
            <CardContent>
              <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
                {COUNTED.map((s) => (
                  <li key={s} className="flex flex-col items-start gap-1" data-testid={`runs-24h-${s}`}>
                    <RunStatusBadge status={s} className="max-w-full whitespace-normal" />
                    <span className="text-2xl font-semibold tabular-nums">{counts[s]}</span>
                  </li>
                ))}
              </ul>
            </CardContent>
          </Card>
          <Card className="gap-3" data-testid="success-rate">
            <CardHeader>
              <CardTitle>
                <h3>Success rate</h3>
              </CardTitle>
              <CardDescription>Finished runs of the last 24 hours; cancelled ones are not counted.</CardDescription>
            </CardHeader>
            <CardContent>
              {rate === null ? (
                <p className="text-muted-foreground text-sm">No finished runs yet.</p>
              ) : (
                <p className="flex flex-col gap-0.5">
                  <span className="text-2xl font-semibold tabular-nums">{rate}%</span>
                  <span className="text-muted-foreground text-sm">
                    {atLeast}
                    {succeeded} of {finished} succeeded
                    {counts.succeeded_with_warnings ? `, ${counts.succeeded_with_warnings} with warnings` : ""}
                  </span>
                </p>
              )}
            </CardContent>
          </Card>
        </div>

        <div className="grid gap-4 md:grid-cols-2 lg:grid-cols-3">
          <ListCard
            icon={failures.length ? CircleAlertIcon : CircleCheckIcon}
            iconClassName={failures.length ? "text-destructive" : undefined}
            title="Recent failures"
            testId="recent-failures"
          >
            {failures.length === 0 ? (
              <p className="text-muted-foreground text-sm">No failed runs in the last {FAILURE_WINDOW_DAYS} days.</p>
            ) : (
              <div className="flex flex-col gap-3">
                <ul className="divide-y">
                  {failures.map((f) => (
                    <li
                      key={f.id}
                      className="flex flex-col gap-0.5 py-2 first:pt-0 last:pb-0"
                      data-testid="recent-failure"
                      data-run-id={f.id}
                    >
                      <Link href={`/runs/${f.id}`} className="font-medium break-all underline-offset-4 hover:underline">
                        <span className="sr-only">Failed run of </span>
                        {f.pipeline}
                        <ChevronRightIcon aria-hidden="true" className="text-muted-foreground ml-0.5 inline size-4 align-[-2px]" />
                      </Link>
                      <time dateTime={f.at.toISOString()} title={formatDateTime(f.at)} className="text-muted-foreground text-xs">
                        {formatRelativeTime(f.at, now)}
                      </time>
                      <p className="text-destructive line-clamp-2 text-sm break-words" data-testid="recent-failure-error">
                        {f.error}
                      </p>
                    </li>
                  ))}
                </ul>
                <Link href="/runs?status=failed" className="self-start text-sm underline underline-offset-4">
                  All failed runs
                </Link>
              </div>
            )}
          </ListCard>

          <ListCard icon={CalendarClockIcon} title="Next scheduled runs" testId="next-scheduled-runs">
            {scheduled.length === 0 ? (
              canEdit ? (
                <p className="text-muted-foreground text-sm">
                  No pipeline is on a schedule. Give one a cron expression on its{" "}
                  <Link href="/pipelines" className="underline underline-offset-4">
                    pipeline page
                  </Link>
                  .
                </p>
              ) : (
                <p className="text-muted-foreground text-sm">No pipeline is on a schedule yet.</p>
              )
            ) : (
              <ul className="divide-y">
                {scheduled.map((p) => (
                  <li key={p.id} className="flex flex-col gap-0.5 py-2 first:pt-0 last:pb-0" data-testid="next-scheduled-run">
                    <Link href={`/pipelines/${p.id}`} className="font-medium break-all underline-offset-4 hover:underline">
                      {p.name}
                      <ChevronRightIcon aria-hidden="true" className="text-muted-foreground ml-0.5 inline size-4 align-[-2px]" />
                    </Link>
                    <span className="text-sm">
                      <time dateTime={p.nextRunAt.toISOString()} title={formatDateTime(p.nextRunAt)}>
                        {formatInZone(p.nextRunAt, p.scheduleTimezone)}
                      </time>
                      <span className="text-muted-foreground"> · {formatUntil(p.nextRunAt, now)}</span>
                    </span>
                    <span className="text-muted-foreground text-xs">{scheduleInWords(p)}</span>
                  </li>
                ))}
              </ul>
            )}
          </ListCard>

          <ListCard
            icon={attention.length ? CircleAlertIcon : SendIcon}
            title="Destinations needing attention"
            testId="destinations-attention"
          >
            {destinationCount === 0 ? (
              canEdit ? (
                <p className="text-muted-foreground text-sm">
                  No destination yet: runs deliver nothing until you{" "}
                  <Link href="/destinations" className="underline underline-offset-4">
                    add a Slack webhook
                  </Link>
                  .
                </p>
              ) : (
                <p className="text-muted-foreground text-sm">
                  No destination yet: runs deliver nothing until an editor adds a Slack webhook.
                </p>
              )
            ) : attention.length === 0 ? (
              <p className="text-muted-foreground text-sm">None: every destination accepted its last message.</p>
            ) : (
              <ul className="divide-y">
                {attention.map((d) => (
                  <li key={d.id} className="flex flex-col gap-0.5 py-2 first:pt-0 last:pb-0">
                    <Link
                      href={`/destinations/${d.id}`}
                      className="text-destructive font-medium break-all underline-offset-4 hover:underline"
                    >
                      {d.name}
                      <ChevronRightIcon aria-hidden="true" className="ml-0.5 inline size-4 align-[-2px]" />
                    </Link>
                    {d.attentionReason ? <span className="text-muted-foreground text-xs break-words">{d.attentionReason}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </ListCard>
        </div>
      </section>

      {children}

      <Card className="gap-3" data-testid="runs-chart-card">
        <CardHeader>
          <CardTitle>
            <h2>Recent run durations and rows loaded</h2>
          </CardTitle>
          <CardDescription>The last {CHART_RUNS} runs of every pipeline, oldest on the left.</CardDescription>
        </CardHeader>
        <CardContent>
          {points.length ? (
            <RunsChart data={points} />
          ) : (
            <p className="text-muted-foreground text-sm">Nothing to chart until the first run.</p>
          )}
        </CardContent>
      </Card>
    </>
  );
}

function ListCard({
  icon: Icon,
  iconClassName,
  title,
  testId,
  children,
}: {
  icon: typeof SendIcon;
  iconClassName?: string;
  title: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <Card className="gap-3" data-testid={testId}>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Icon className={`size-4 ${iconClassName ?? "text-muted-foreground"}`} aria-hidden="true" />
          <h3>{title}</h3>
        </CardTitle>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

/** Shown while the section streams in. */
export function DashboardRunsSkeleton() {
  return (
    <section aria-label="Runs (loading)" aria-busy="true" className="flex flex-col gap-4">
      <Skeleton className="h-6 w-24" />
      <div className="grid gap-4 md:grid-cols-3">
        <Skeleton className="h-36 md:col-span-2" />
        <Skeleton className="h-36" />
      </div>
      <div className="grid gap-4 md:grid-cols-2 lg:grid-cols-3">
        <Skeleton className="h-40" />
        <Skeleton className="h-40" />
        <Skeleton className="h-40" />
      </div>
      <Skeleton className="h-80" />
    </section>
  );
}
