import type { Metadata } from "next";
import Link from "next/link";
import { CircleCheckIcon, DatabaseIcon, PauseIcon, PlusIcon, WorkflowIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { listDatasets } from "@/db/queries/datasets";
import { listPipelines, listRuns } from "@/db/queries/pipelines";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { AutoRefresh } from "@/components/auto-refresh";
import { isActiveRun, runDisplayStatus, RunStatusBadge } from "@/components/pipelines/run-status";
import { ScheduleCell } from "@/components/pipelines/schedule-cell";
import { scheduleInWords } from "@/lib/pipeline/schedule";
import { formatDateTime, formatRelativeTime } from "@/lib/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Pipelines" };

const linkClass = "focus-visible:ring-ring/50 rounded-sm underline-offset-4 outline-none hover:underline focus-visible:ring-[3px]";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function PipelinesPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const canEdit = roleAtLeast(user.role, "editor");
  const [pipelines, datasets, params] = await Promise.all([listPipelines(), listDatasets(), searchParams]);
  // Set by "Delete pipeline" on the way here.
  const deleted = typeof params.deleted === "string" ? params.deleted : null;
  // One small query per pipeline for its newest run; lists here are short (one per dataset or so).
  const lastRuns = await Promise.all(pipelines.map((p) => listRuns({ pipelineId: p.id }, 1).then((r) => r[0] ?? null)));
  const datasetById = new Map(datasets.map((d) => [d.id, d]));
  const anyActive = lastRuns.some((r) => isActiveRun(r?.status));
  const now = new Date();

  const newButton = canEdit ? (
    <Button asChild>
      <Link href="/pipelines/new">
        <PlusIcon aria-hidden="true" />
        New pipeline
      </Link>
    </Button>
  ) : null;

  return (
    <>
      {deleted ? (
        <Alert role="status" data-testid="pipeline-deleted">
          <CircleCheckIcon aria-hidden="true" />
          <AlertDescription>
            <p>
              Deleted pipeline <span className="font-medium break-all">{deleted}</span> with its runs and its schedule.
            </p>
          </AlertDescription>
        </Alert>
      ) : null}

      <PageHeader
        title="Pipelines"
        description="Each one refreshes a dataset, builds its models and posts the results to Slack, by hand or on a schedule."
        actions={pipelines.length ? newButton : null}
      />

      {pipelines.length === 0 ? (
        <EmptyState
          icon={WorkflowIcon}
          title="No pipelines yet"
          description={
            <>
              Registering a dataset creates its default pipeline: it fetches and loads the file, builds the models that use it and posts a
              summary to the default Slack destination. Add more pipelines for other messages or schedules.
            </>
          }
        >
          {canEdit ? (
            datasets.length ? (
              newButton
            ) : (
              <Button asChild>
                <Link href="/datasets/new">
                  <DatabaseIcon aria-hidden="true" />
                  Register a dataset
                </Link>
              </Button>
            )
          ) : (
            <p className="text-muted-foreground text-sm">Ask an editor or admin to register a dataset.</p>
          )}
        </EmptyState>
      ) : (
        <Card className="py-0">
          <CardContent className="px-0">
            {anyActive ? <AutoRefresh intervalMs={3000} /> : null}
            <Table aria-label="Pipelines" data-testid="pipelines-table">
              <TableHeader>
                <TableRow>
                  <TableHead className="pl-4">Name</TableHead>
                  <TableHead>Dataset</TableHead>
                  <TableHead>Schedule</TableHead>
                  <TableHead className="pr-4">Last run</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {pipelines.map((p, i) => {
                  const dataset = datasetById.get(p.datasetId);
                  const words = scheduleInWords(p);
                  const last = lastRuns[i];
                  return (
                    <TableRow key={p.id} data-testid="pipeline-row" data-pipeline-id={p.id}>
                      <TableCell className="pl-4 align-top whitespace-normal">
                        <div className="flex flex-wrap items-center gap-2">
                          <Link href={`/pipelines/${p.id}`} className={`font-medium break-all ${linkClass}`}>
                            {p.name}
                          </Link>
                          {p.paused ? (
                            <Badge variant="outline" data-testid="pipeline-paused">
                              <PauseIcon aria-hidden="true" />
                              Paused
                            </Badge>
                          ) : null}
                        </div>
                      </TableCell>
                      <TableCell className="align-top">
                        {dataset ? (
                          <Link href={`/datasets/${encodeURIComponent(dataset.name)}`} className={`font-mono text-xs ${linkClass}`}>
                            {dataset.name}
                          </Link>
                        ) : (
                          <span className="text-muted-foreground">Deleted</span>
                        )}
                      </TableCell>
                      <TableCell className="min-w-48 align-top whitespace-normal">
                        <ScheduleCell words={words} paused={p.paused} nextRunAt={p.nextRunAt} now={now} manual="Manual" />
                      </TableCell>
                      <TableCell className="pr-4 align-top">
                        {last ? (
                          <span className="flex flex-wrap items-center gap-2">
                            <RunStatusBadge status={runDisplayStatus(last)} />
                            <Link href={`/runs/${last.id}`} className={`text-xs ${linkClass}`}>
                              <span className="sr-only">Last run, </span>
                              <time dateTime={last.createdAt.toISOString()} title={formatDateTime(last.createdAt)}>
                                {formatRelativeTime(last.createdAt, now)}
                              </time>
                            </Link>
                          </span>
                        ) : (
                          <span className="text-muted-foreground">Never run</span>
                        )}
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      )}
    </>
  );
}
