import { getDatasetLoad } from "@/db/queries/datasets";
import { listDeliveriesForRun } from "@/db/queries/destinations";
import { listBatchBuilds } from "@/db/queries/models";
import { getRunById, listRunSteps, listStepsForRuns } from "@/db/queries/pipelines";
import type { Run, RunStep } from "@/db/schema/pipelines";

/** The public shape of a run (REST API `Run`). */
export type RunSummary = {
  id: string;
  pipelineId: string;
  status: Run["status"];
  /** How the run ended; null while it is queued or running. */
  outcome: Run["outcome"];
  trigger: Run["trigger"];
  force: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps: {
    name: RunStep["name"];
    status: RunStep["status"];
    startedAt: string | null;
    finishedAt: string | null;
    rows?: number;
    bytes?: number;
    /** Load step: rows skipped and short rows padded with NULLs. */
    rowsSkipped?: number;
    rowsPadded?: number;
    /** What the user should know although the step succeeded. */
    warnings?: string[];
    error?: string;
    skipReason?: string;
  }[];
  /** Why a run needs a look although it did its job (outcome `succeeded_with_warnings`), in step order. */
  warnings: string[];
  error?: { message: string; step?: string };
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function summarizeRun(run: Run, steps: RunStep[]): RunSummary {
  return {
    id: run.id,
    pipelineId: run.pipelineId,
    status: run.status,
    outcome: run.outcome ?? null,
    trigger: run.trigger,
    force: run.force,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    steps: steps.map((s) => ({
      name: s.name,
      status: s.status,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
      ...(s.counts.rows !== undefined ? { rows: s.counts.rows } : {}),
      ...(s.counts.bytes !== undefined ? { bytes: s.counts.bytes } : {}),
      ...(s.counts.rowsSkipped !== undefined ? { rowsSkipped: s.counts.rowsSkipped } : {}),
      ...(s.counts.rowsPadded !== undefined ? { rowsPadded: s.counts.rowsPadded } : {}),
      ...(s.counts.warnings?.length ? { warnings: s.counts.warnings } : {}),
      ...(s.error ? { error: s.error.message } : {}),
      ...(s.skipReason ? { skipReason: s.skipReason } : {}),
    })),
    // A live run shows the warnings so far; a finished one what it ended with.
    warnings: run.outcome ? run.warnings : steps.flatMap((s) => s.counts.warnings ?? []),
    ...(run.error ? { error: { message: run.error.message, ...(run.error.step ? { step: run.error.step } : {}) } } : {}),
  };
}

export async function summarizeRuns(runs: Run[]): Promise<RunSummary[]> {
  const steps = await listStepsForRuns(runs.map((r) => r.id));
  return runs.map((r) =>
    summarizeRun(
      r,
      steps.filter((s) => s.runId === r.id),
    ),
  );
}

/** Everything the run page shows, read in one go (polled every second while the run is live). */
export async function getRunDetail(runId: string) {
  const run = await getRunById(runId);
  if (!run) return null;
  const steps = await listRunSteps(run.id);
  const load = run.loadId ? await getDatasetLoad(run.loadId) : null;
  const transform = steps.find((s) => s.name === "transform");
  const builds = transform?.progress?.batchId ? await listBatchBuilds(transform.progress.batchId) : [];
  const deliveries = await listDeliveriesForRun(run.id);
  return {
    run: summarizeRun(run, steps),
    steps: steps.map((s) => ({
      name: s.name,
      status: s.status,
      attempt: s.attempt,
      counts: s.counts,
      log: s.log,
      error: s.error,
      skipReason: s.skipReason,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
    })),
    load: load
      ? {
          id: load.id,
          status: load.status,
          phase: load.phase,
          bytesRead: load.bytesRead,
          bytesTotal: load.bytesTotal,
          rowsLoaded: load.rowsLoaded,
          rowsSkipped: load.rowsSkipped,
          rowsPadded: load.rowsPadded,
          warnings: load.warnings,
          versionId: load.versionId,
          error: load.error,
        }
      : null,
    builds: builds.map((b) => ({
      model: b.modelName,
      status: b.status,
      rows: b.rows,
      error: b.error?.message ?? null,
      skippedBecause: b.skippedBecause,
      tests: b.testResults.map((t) => ({ name: t.name, status: t.status, severity: t.severity, failingRows: t.failingRows })),
    })),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      destinationId: d.destinationId,
      kind: d.kind,
      status: d.status,
      attempts: d.attempts,
      error: d.error,
      skipReason: d.skipReason,
      sentAt: iso(d.sentAt),
    })),
  };
}

export type RunDetail = NonNullable<Awaited<ReturnType<typeof getRunDetail>>>;
