import { listDatasetVersions } from "@/db/queries/datasets";
import { countRuns, getActiveRuns, listPipelines } from "@/db/queries/pipelines";
import type { Dataset } from "@/db/schema/datasets";
import type { Pipeline, PipelineDelivery } from "@/db/schema/pipelines";
import { loadProject } from "@/lib/transform/build";
import { downstreamOf, type GraphNode } from "@/lib/transform/dag";
import { scheduleInWords } from "@/lib/pipeline/schedule";

/**
 * What goes with a pipeline, dataset or model when it is deleted, and what breaks: computed on the
 * server for the delete dialogs, so people see the consequences before they confirm.
 */

export type PipelineRef = { id: string; name: string };
/** A pipeline with the numbers (1-based) of its messages that read a table about to go. */
export type MessageUse = PipelineRef & { messages: number[] };

export type PipelineDependents = {
  /** Runs kept for it; deleted with it (with their steps and delivery records). */
  runCount: number;
  /** Messages that send "what changed": each keeps a snapshot table, dropped with the pipeline. */
  digestMessages: number;
  /** Its schedule in words; null when it runs only by hand. */
  schedule: string | null;
  /** A dataset's own pipeline cannot be deleted on its own (pause it, or delete the dataset). */
  isDefault: boolean;
  /** A queued or running run: deleting is refused until it ends. */
  running: boolean;
};

export type DatasetDependents = {
  /** Its pipelines (its own one first): deleted with it, runs and all. */
  pipelines: (PipelineRef & { isDefault: boolean })[];
  /** Models whose SQL refs the dataset: their next build fails. */
  readers: string[];
  /** Models further down (they read the readers): they fail with them. */
  downstream: string[];
  /** Other pipelines whose messages use the dataset's table: those messages fail. */
  messages: MessageUse[];
  versionCount: number;
};

export type ModelDependents = {
  /** Models whose SQL refs this one: deleting is refused until their refs are removed. */
  readers: string[];
  /** Every model downstream, readers included. */
  downstream: string[];
  /** Pipelines whose messages use the model as their table (or their condition's): those messages fail. */
  messages: MessageUse[];
};

/** The models a message reads: its table's model, and its alert condition's when that names another. */
export function deliveryModels(delivery: PipelineDelivery): string[] {
  const names = new Set<string>();
  if (delivery.template.table?.model) names.add(delivery.template.table.model);
  if (typeof delivery.condition === "object" && delivery.condition.model) names.add(delivery.condition.model);
  return [...names];
}

/** Pipelines with at least one message reading one of `names`, and which messages. */
export function messagesUsing(pipelines: readonly Pipeline[], names: ReadonlySet<string>): MessageUse[] {
  const uses: MessageUse[] = [];
  for (const p of pipelines) {
    const messages = p.deliveries.flatMap((d, i) => (deliveryModels(d).some((m) => names.has(m)) ? [i + 1] : []));
    if (messages.length) uses.push({ id: p.id, name: p.name, messages });
  }
  return uses;
}

function directReaders(graph: readonly GraphNode[], name: string): string[] {
  return graph
    .filter((n) => n.name !== name && n.dependsOn.includes(name))
    .map((n) => n.name)
    .sort();
}

export async function pipelineDependents(pipeline: Pipeline): Promise<PipelineDependents> {
  const [runCount, active] = await Promise.all([countRuns(pipeline.id), getActiveRuns(pipeline.id)]);
  return {
    runCount,
    digestMessages: pipeline.deliveries.filter((d) => d.digest).length,
    schedule: scheduleInWords(pipeline),
    isDefault: pipeline.isDefault,
    running: active.length > 0,
  };
}

export async function datasetDependents(dataset: Pick<Dataset, "id" | "name">): Promise<DatasetDependents> {
  const [project, pipelines, versions] = await Promise.all([loadProject(), listPipelines(), listDatasetVersions(dataset.id)]);
  const own = pipelines.filter((p) => p.datasetId === dataset.id);
  const readers = directReaders(project.graph, dataset.name);
  const downstream = [...downstreamOf(project.graph, [dataset.name])].filter((n) => !readers.includes(n)).sort();
  return {
    pipelines: own
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name))
      .map((p) => ({ id: p.id, name: p.name, isDefault: p.isDefault })),
    readers,
    downstream,
    // Its own pipelines go with it; only the others' messages are left to fail.
    messages: messagesUsing(
      pipelines.filter((p) => p.datasetId !== dataset.id),
      new Set([dataset.name]),
    ),
    versionCount: versions.length,
  };
}

export async function modelDependents(name: string): Promise<ModelDependents> {
  const [project, pipelines] = await Promise.all([loadProject(), listPipelines()]);
  return {
    readers: directReaders(project.graph, name),
    downstream: [...downstreamOf(project.graph, [name])].sort(),
    messages: messagesUsing(pipelines, new Set([name])),
  };
}
