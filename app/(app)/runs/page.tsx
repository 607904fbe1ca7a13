import type { Metadata } from "next";
import Link from "next/link";
import { ChevronLeftIcon, ChevronRightIcon, FilterIcon, HistoryIcon, WorkflowIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { summarizeRuns } from "@/lib/pipeline/run-view";
import { listPipelines, listRuns } from "@/db/queries/pipelines";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { AutoRefresh } from "@/components/auto-refresh";
import { NativeSelect } from "@/components/pipelines/native-select";
import { isActiveRun, statusLabel, triggerLabel } from "@/components/pipelines/run-status";
import { RunsTable } from "@/components/pipelines/runs-table";
import { encodeCursor, parseRunQuery, runsHref, STATUS_CHOICES, TRIGGERS } from "./run-filters";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Runs" };

const PAGE_SIZE = 25;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function RunsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireUser();
  const { query, filter, invalid } = parseRunQuery(await searchParams);
  const [pipelines, page] = await Promise.all([listPipelines(), listRuns(filter, PAGE_SIZE + 1)]);
  const runs = page.slice(0, PAGE_SIZE);
  const hasOlder = page.length > PAGE_SIZE;
  const summaries = await summarizeRuns(runs);
  const pipelineById = new Map(pipelines.map((p) => [p.id, { id: p.id, name: p.name }]));
  const filtered = Boolean(query.pipeline || query.status || query.trigger || query.since);
  const paged = Boolean(query.before);
  const anyActive = runs.some((r) => isActiveRun(r.status));
  const now = new Date();
  const { before: _before, ...filters } = query;

  return (
    <>
      <PageHeader title="Runs" description="Every pipeline run, step by step, with its progress and errors." />

      <form method="get" action="/runs" role="search" aria-label="Filter runs" className="flex flex-col gap-3 rounded-xl border p-4">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="filter-pipeline">Pipeline</Label>
            <NativeSelect id="filter-pipeline" name="pipeline" defaultValue={query.pipeline}>
              <option value="">All pipelines</option>
              {pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="filter-status">Status</Label>
            <NativeSelect id="filter-status" name="status" defaultValue={query.status}>
              <option value="">Any status</option>
              {STATUS_CHOICES.map((s) => (
                <option key={s} value={s}>
                  {statusLabel(s)}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="filter-trigger">Trigger</Label>
            <NativeSelect id="filter-trigger" name="trigger" defaultValue={query.trigger}>
              <option value="">Any trigger</option>
              {TRIGGERS.map((t) => (
                <option key={t} value={t}>
                  {triggerLabel(t)}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="filter-since">Since (UTC)</Label>
            <Input id="filter-since" name="since" type="date" defaultValue={query.since} />
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" size="sm">
            <FilterIcon aria-hidden="true" />
            Apply filters
          </Button>
          {filtered ? (
            <Button asChild variant="ghost" size="sm">
              <Link href="/runs">Clear filters</Link>
            </Button>
          ) : null}
          {invalid.length ? (
            <p role="status" className="text-muted-foreground text-xs">
              Ignored a malformed {invalid.join(", ")} in the address.
            </p>
          ) : null}
        </div>
      </form>

      {summaries.length === 0 ? (
        filtered || paged ? (
          <EmptyState
            icon={HistoryIcon}
            title={paged ? "No older runs" : "No runs match these filters"}
            description={paged ? "You have reached the oldest run." : "Try another pipeline, status or date, or clear the filters."}
          >
            <Button asChild variant="outline">
              <Link href={paged ? runsHref(filters) : "/runs"}>{paged ? "Back to the newest runs" : "Clear filters"}</Link>
            </Button>
          </EmptyState>
        ) : (
          <EmptyState
            icon={HistoryIcon}
            title="No runs yet"
            description="Each time a pipeline runs, its fetch, load, build, test and delivery steps are recorded here live. Registering a dataset starts its default pipeline's first run."
          >
            <Button asChild>
              <Link href="/pipelines">
                <WorkflowIcon aria-hidden="true" />
                Go to pipelines
              </Link>
            </Button>
          </EmptyState>
        )
      ) : (
        <Card className="py-0">
          <CardContent className="px-0">
            {anyActive && !paged ? <AutoRefresh intervalMs={3000} /> : null}
            <RunsTable
              rows={summaries.map((run) => ({ run, pipeline: pipelineById.get(run.pipelineId) ?? null }))}
              now={now}
              showPipeline
              label="Runs"
            />
          </CardContent>
        </Card>
      )}

      {paged || hasOlder ? (
        <nav aria-label="Runs pages" className="flex flex-wrap items-center justify-between gap-2">
          {paged ? (
            <Button asChild variant="outline" size="sm">
              <Link href={runsHref(filters)}>
                <ChevronLeftIcon aria-hidden="true" />
                Newest
              </Link>
            </Button>
          ) : (
            <span />
          )}
          {hasOlder ? (
            <Button asChild variant="outline" size="sm">
              <Link href={runsHref({ ...filters, before: encodeCursor(runs[runs.length - 1]!) })} data-testid="runs-older">
                Older
                <ChevronRightIcon aria-hidden="true" />
              </Link>
            </Button>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
