import Link from "next/link";
import type { ReactNode } from "react";
import { CodeIcon, PauseIcon, SendIcon, type LucideIcon } from "lucide-react";
import type { DatasetHub, HubModel, HubPipeline } from "@/lib/pipeline/dataset-hub";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { BuildStatusBadge } from "@/components/models/build-status-badge";
import { RunStatusBadge, runDisplayStatus } from "@/components/pipelines/run-status";
import { RunsTable } from "@/components/pipelines/runs-table";
import { ScheduleCell } from "@/components/pipelines/schedule-cell";
import { formatDateTime, formatRelativeTime } from "@/lib/format";

// The dataset page's hub: what runs this dataset, what is built on it, and the two next steps
// (a model over it, a Slack message from it). Server-rendered; viewers get the lists only.

const linkClass = "focus-visible:ring-ring/50 rounded-sm underline-offset-4 outline-none hover:underline focus-visible:ring-[3px]";

/** The editor with `select * from {{ ref('<name>') }}` already in it (models/new validates the name). */
export function newModelHref(datasetName: string): string {
  return `/models/new?ref=${encodeURIComponent(datasetName)}`;
}

/** The pipeline form with this dataset chosen (pipelines/new checks the id against the datasets). */
export function deliverHref(datasetId: string): string {
  return `/pipelines/new?dataset=${encodeURIComponent(datasetId)}`;
}

function When({ date, now }: { date: Date; now: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelativeTime(date, now)}
    </time>
  );
}

function Empty({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-start gap-3 rounded-lg border border-dashed p-4 text-sm">
      <p className="text-muted-foreground">{children}</p>
      {action}
    </div>
  );
}

function PipelineItem({ p, now }: { p: HubPipeline; now: Date }) {
  return (
    <li className="flex flex-col gap-2 py-3 first:pt-0 last:pb-0" data-testid="hub-pipeline" data-pipeline-id={p.id}>
      <div className="flex flex-wrap items-center gap-2">
        <Link href={`/pipelines/${p.id}`} className={`font-medium break-all ${linkClass}`}>
          {p.name}
        </Link>
        {p.isDefault ? <Badge variant="outline">Default</Badge> : null}
        {p.paused ? (
          <Badge variant="outline">
            <PauseIcon aria-hidden="true" />
            Paused
          </Badge>
        ) : null}
      </div>
      <div className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-2">
        <ScheduleCell words={p.schedule} paused={p.paused} nextRunAt={p.nextRunAt} now={now} manual="Runs by hand" />
        <span className="flex flex-wrap items-center gap-2" data-testid="hub-pipeline-last-run">
          {p.lastRun ? (
            <>
              <RunStatusBadge status={runDisplayStatus(p.lastRun)} />
              <Link href={`/runs/${p.lastRun.id}`} className={`text-xs ${linkClass}`}>
                <span className="sr-only">Last run of {p.name}, </span>
                <When date={p.lastRun.createdAt} now={now} />
              </Link>
            </>
          ) : (
            <span className="text-muted-foreground">Never run</span>
          )}
        </span>
      </div>
    </li>
  );
}

/** A hub card: heading, what it lists, then the list (or its empty state) and its one action. */
function HubCard({ id, title, description, children }: { id: string; title: string; description: string; children: ReactNode }) {
  return (
    <Card className="min-w-0 gap-4" data-testid={id}>
      <CardHeader>
        <CardTitle>
          <h2 id={`${id}-heading`}>{title}</h2>
        </CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">{children}</CardContent>
    </Card>
  );
}

function ActionLink({ href, icon: Icon, children }: { href: string; icon: LucideIcon; children: ReactNode }) {
  return (
    <Button asChild size="sm" variant="outline" className="w-fit">
      <Link href={href}>
        <Icon aria-hidden="true" />
        {children}
      </Link>
    </Button>
  );
}

export function PipelinesCard({ hub, datasetId, canEdit, now }: { hub: DatasetHub; datasetId: string; canEdit: boolean; now: Date }) {
  const deliver = canEdit ? (
    <ActionLink href={deliverHref(datasetId)} icon={SendIcon}>
      Deliver this dataset to Slack
    </ActionLink>
  ) : null;
  return (
    <HubCard id="hub-pipelines" title="Pipelines" description="What refreshes this dataset and posts its results to Slack.">
      {hub.pipelines.length ? (
        <ul aria-labelledby="hub-pipelines-heading" className="divide-y">
          {hub.pipelines.map((p) => (
            <PipelineItem key={p.id} p={p} now={now} />
          ))}
        </ul>
      ) : (
        <Empty action={deliver ?? undefined}>
          {canEdit
            ? "No pipeline runs this dataset. Add one to refresh it on a schedule and post what it holds to Slack."
            : "No pipeline runs this dataset yet. An editor can add one to post it to Slack."}
        </Empty>
      )}
      {hub.messageUses.length ? (
        <p className="text-muted-foreground text-sm" data-testid="hub-message-uses">
          Also posted by{" "}
          {hub.messageUses.map((m, i) => (
            <span key={m.id}>
              {i ? ", " : ""}
              <Link href={`/pipelines/${m.id}`} className={`text-foreground ${linkClass}`}>
                {m.name}
              </Link>{" "}
              (message {m.messages.join(", ")})
            </span>
          ))}
          .
        </p>
      ) : null}
      {hub.pipelines.length ? deliver : null}
    </HubCard>
  );
}

function ModelItem({ m }: { m: HubModel }) {
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2 first:pt-0 last:pb-0" data-testid="hub-model" data-model={m.name}>
      <span className="flex min-w-0 flex-col gap-0.5">
        <Link href={`/models/${encodeURIComponent(m.name)}`} className={`font-mono text-sm break-all ${linkClass}`}>
          {m.name}
        </Link>
        <span className="text-muted-foreground text-xs">{m.direct ? "Reads this dataset" : "Reads a model built on it"}</span>
      </span>
      <BuildStatusBadge status={m.lastBuild} />
    </li>
  );
}

export function ModelsCard({ hub, datasetName, canEdit }: { hub: DatasetHub; datasetName: string; canEdit: boolean }) {
  const create = canEdit ? (
    <ActionLink href={newModelHref(datasetName)} icon={CodeIcon}>
      New model from this dataset
    </ActionLink>
  ) : null;
  return (
    <HubCard
      id="hub-models"
      title="Downstream models"
      description="Models that read it, directly or through another model, with their last build."
    >
      {hub.models.length ? (
        <>
          <ul aria-labelledby="hub-models-heading" className="divide-y">
            {hub.models.map((m) => (
              <ModelItem key={m.name} m={m} />
            ))}
          </ul>
          {create}
        </>
      ) : (
        <Empty action={create ?? undefined}>
          {canEdit
            ? "No model reads this dataset yet. Start one from it: a SELECT over its rows, built into the warehouse."
            : "No model reads this dataset yet. An editor can build one on it."}
        </Empty>
      )}
    </HubCard>
  );
}

export function RecentRunsCard({ hub, now }: { hub: DatasetHub; now: Date }) {
  return (
    <Card className="gap-4" data-testid="hub-runs">
      <CardHeader>
        <CardTitle>
          <h2 id="hub-runs-heading">Recent runs</h2>
        </CardTitle>
        <CardDescription>The latest runs of this dataset&apos;s pipelines; open one for its steps and logs.</CardDescription>
      </CardHeader>
      <CardContent className="min-w-0 px-0">
        {hub.recentRuns.length ? (
          <RunsTable rows={hub.recentRuns} now={now} showPipeline label="Recent runs of this dataset" testId="hub-runs-table" />
        ) : (
          <div className="px-6">
            <Empty>
              No runs yet. A run starts when the dataset is loaded, on a pipeline&apos;s schedule, or with Run now on a pipeline.
            </Empty>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
