import { listLatestBuilds } from "@/db/queries/models";
import { listPipelines, listRuns } from "@/db/queries/pipelines";
import type { Dataset } from "@/db/schema/datasets";
import type { ModelBuild } from "@/db/schema/models";
import type { Run } from "@/db/schema/pipelines";
import { type DatasetDependents, type MessageUse } from "@/lib/lifecycle/dependents";
import { scheduleInWords } from "@/lib/pipeline/schedule";
import { summarizeRuns, type RunSummary } from "@/lib/pipeline/run-view";

/**
 * What a dataset feeds, for its page: the pipelines that run it (with their last run and next
 * scheduled time), its recent runs, and the models built on it. The dataset page is where people
 * land after a load; this is what makes it lead somewhere.
 */

export type HubPipeline = {
  id: string;
  name: string;
  isDefault: boolean;
  paused: boolean;
  /** The schedule in words; null when it runs only by hand. */
  schedule: string | null;
  nextRunAt: Date | null;
  lastRun: Run | null;
};

export type HubModel = {
  name: string;
  /** Its SQL refs the dataset itself (otherwise it reads a model that does). */
  direct: boolean;
  lastBuild: ModelBuild["status"] | null;
};

export type HubRun = { run: RunSummary; pipeline: { id: string; name: string } | null };

export type DatasetHub = {
  pipelines: HubPipeline[];
  /** Other datasets' pipelines whose messages read this dataset's table. */
  messageUses: MessageUse[];
  models: HubModel[];
  recentRuns: HubRun[];
};

export const HUB_RECENT_RUNS = 8;

/** `dependents` is the delete dialog's answer (readers, downstream, messages), computed once per page. */
export async function datasetHub(dataset: Pick<Dataset, "id">, dependents: DatasetDependents): Promise<DatasetHub> {
  const modelNames = [...dependents.readers, ...dependents.downstream];
  const [pipelines, runs, builds] = await Promise.all([
    listPipelines(),
    listRuns({ datasetId: dataset.id }, HUB_RECENT_RUNS),
    modelNames.length ? listLatestBuilds(modelNames) : Promise.resolve([]),
  ]);
  // Its own pipelines, its default one first, in the order the delete dialog lists them.
  const byId = new Map(pipelines.map((p) => [p.id, p]));
  const own = dependents.pipelines.flatMap((ref) => {
    const p = byId.get(ref.id);
    return p ? [p] : [];
  });
  // One small query per pipeline for its newest run: a dataset has a handful of pipelines.
  const [lastRuns, summaries] = await Promise.all([
    Promise.all(own.map((p) => listRuns({ pipelineId: p.id }, 1).then((r) => r[0] ?? null))),
    summarizeRuns(runs),
  ]);
  const buildOf = new Map(builds.map((b) => [b.modelName, b.status]));
  const direct = new Set(dependents.readers);
  return {
    pipelines: own.map((p, i) => ({
      id: p.id,
      name: p.name,
      isDefault: p.isDefault,
      paused: p.paused,
      schedule: scheduleInWords(p),
      nextRunAt: p.nextRunAt,
      lastRun: lastRuns[i] ?? null,
    })),
    messageUses: dependents.messages,
    models: modelNames.map((name) => ({ name, direct: direct.has(name), lastBuild: buildOf.get(name) ?? null })),
    recentRuns: summaries.map((run) => {
      const p = byId.get(run.pipelineId);
      return { run, pipeline: p ? { id: p.id, name: p.name } : null };
    }),
  };
}
