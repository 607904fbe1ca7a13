import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeftIcon, HistoryIcon, PauseIcon, StarIcon } from "lucide-react";
import { z } from "zod";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { summarizeRuns } from "@/lib/pipeline/run-view";
import { pipelineDependents } from "@/lib/lifecycle/dependents";
import { getPipelineById, listRuns } from "@/db/queries/pipelines";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { LineageLink } from "@/components/models/lineage-link";
import { AutoRefresh } from "@/components/auto-refresh";
import { isActiveRun } from "@/components/pipelines/run-status";
import { RunsTable } from "@/components/pipelines/runs-table";
import { loadFormOptions } from "../form-options";
import { draftFromPipeline } from "../form-types";
import { PipelineForm } from "../pipeline-form";
import { ConfigSummary } from "./config-summary";
import { PipelineControls } from "./pipeline-controls";

export const dynamic = "force-dynamic";

const RECENT_RUNS = 10;

type Params = Promise<{ id: string }>;

async function findPipeline(id: string) {
  return z.string().uuid().safeParse(id).success ? getPipelineById(id) : null;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const pipeline = await findPipeline((await params).id).catch(() => null);
  return { title: pipeline?.name ?? "Pipeline" };
}

export default async function PipelinePage({ params }: { params: Params }) {
  const user = await requireUser();
  const { id } = await params;
  const pipeline = await findPipeline(id);
  if (!pipeline) notFound();

  const canEdit = roleAtLeast(user.role, "editor");
  const [options, runs, dependents] = await Promise.all([
    loadFormOptions(),
    listRuns({ pipelineId: pipeline.id }, RECENT_RUNS),
    // Only editors see the delete dialog that lists these.
    canEdit ? pipelineDependents(pipeline) : null,
  ]);
  const summaries = await summarizeRuns(runs);
  const anyActive = runs.some((r) => isActiveRun(r.status));
  const dataset = options.datasets.find((d) => d.id === pipeline.datasetId) ?? null;
  const now = new Date();

  return (
    <>
      <Link
        href="/pipelines"
        className="text-muted-foreground hover:text-foreground focus-visible:ring-ring/50 -mb-2 inline-flex w-fit items-center gap-1 rounded-sm text-sm outline-none focus-visible:ring-[3px]"
      >
        <ArrowLeftIcon className="size-4" aria-hidden="true" />
        All pipelines
      </Link>

      <PageHeader
        title={pipeline.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span>
              Pipeline for{" "}
              {dataset ? (
                <Link href={`/datasets/${encodeURIComponent(dataset.name)}`} className="font-medium underline-offset-4 hover:underline">
                  {dataset.name}
                </Link>
              ) : (
                "a deleted dataset"
              )}
            </span>
            {pipeline.isDefault ? (
              <Badge variant="secondary">
                <StarIcon aria-hidden="true" />
                Default pipeline
              </Badge>
            ) : null}
            {pipeline.paused ? (
              <Badge variant="outline" data-testid="pipeline-paused">
                <PauseIcon aria-hidden="true" />
                Paused
              </Badge>
            ) : null}
            <LineageLink kind="pipeline" name={pipeline.name} />
          </span>
        }
        actions={
          dependents ? (
            <PipelineControls pipelineId={pipeline.id} pipelineName={pipeline.name} paused={pipeline.paused} dependents={dependents} />
          ) : null
        }
      />

      <ConfigSummary pipeline={pipeline} options={options} now={now} />

      <Card className="pb-0">
        <CardHeader>
          <CardTitle>
            <h2 id="recent-runs-heading">Recent runs</h2>
          </CardTitle>
          <CardDescription>The last {RECENT_RUNS}, newest first.</CardDescription>
        </CardHeader>
        <CardContent className="px-0">
          {anyActive ? <AutoRefresh intervalMs={2000} /> : null}
          {summaries.length === 0 ? (
            <p className="text-muted-foreground px-6 pb-6 text-sm">
              This pipeline has not run yet.{canEdit ? " Start it with “Run now”." : ""}
            </p>
          ) : (
            <>
              <RunsTable
                rows={summaries.map((run) => ({ run }))}
                now={now}
                showPipeline={false}
                label="Recent runs"
                testId="pipeline-runs"
              />
              <div className="border-t px-4 py-3">
                <Button asChild variant="ghost" size="sm">
                  <Link href={`/runs?pipeline=${pipeline.id}`}>
                    <HistoryIcon aria-hidden="true" />
                    All runs of this pipeline
                  </Link>
                </Button>
              </div>
            </>
          )}
        </CardContent>
      </Card>

      {canEdit ? (
        <Card id="edit">
          <CardHeader>
            <CardTitle>
              <h2>Edit pipeline</h2>
            </CardTitle>
            <CardDescription>
              Saved changes apply to every step that starts afterwards, so a run in progress picks them up for its remaining steps.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <PipelineForm pipelineId={pipeline.id} initial={draftFromPipeline(pipeline)} options={options} />
          </CardContent>
        </Card>
      ) : null}
    </>
  );
}
