import { audit, type AuditActor } from "@/lib/audit";
import { sql } from "drizzle-orm";
import { getDatasetById, getDatasetLoad, insertDatasetLoad } from "@/db/queries/datasets";
import {
  getActiveRuns,
  getPipelineById,
  getRunById,
  insertRun,
  insertRunSteps,
  listRunSteps,
  lockRun,
  updateRun,
  updateRunStep,
} from "@/db/queries/pipelines";
import { stepNames, type Run, type StepName } from "@/db/schema/pipelines";
import type { StagedScratch } from "@/db/schema/datasets";
import { runStepJob } from "@/lib/queue/jobs";
import { UserError } from "@/lib/errors";
import type { DbOrTx } from "@/db";
import { withTransaction, type SendInTransaction } from "@/lib/queue/transaction";

type Actor = { id: string } | null;

export async function enqueueStep(send: SendInTransaction, runId: string, step: StepName): Promise<void> {
  // The step row's own attempt counter decides who may finish it; the job only says "go".
  await send(runStepJob, { runId, step }, { expireInSeconds: 23 * 3600, retryLimit: 0 });
}

/** Turns a queued run into a running one: its steps are created and the first is enqueued. */
async function startRun(tx: DbOrTx, send: SendInTransaction, run: Run, prestaged?: Pick<RunRequest, "loadId" | "staged">): Promise<void> {
  const pipeline = await getPipelineById(run.pipelineId, tx);
  if (!pipeline) return;
  const dataset = await getDatasetById(pipeline.datasetId, tx);
  if (!dataset) return;
  const load = await insertDatasetLoad(
    {
      ...(prestaged?.loadId ? { id: prestaged.loadId, staged: prestaged.staged ?? null } : {}),
      datasetId: dataset.id,
      requestedBy: run.requestedBy,
      force: run.force,
      versionId: run.datasetVersionId ?? null,
    },
    tx,
  );
  await updateRun(run.id, { status: "running", startedAt: new Date(), loadId: load.id }, tx);
  await insertRunSteps(
    stepNames.map((name, position) => ({ runId: run.id, name, position })),
    tx,
  );
  await enqueueStep(send, run.id, "fetch");
}

/** Starts the pipeline's waiting run, if any and if nothing runs. Called when a run ends. */
export async function startNextRun(tx: DbOrTx, send: SendInTransaction, pipelineId: string): Promise<void> {
  const active = await getActiveRuns(pipelineId, tx);
  if (active.some((r) => r.status === "running")) return;
  const next = active.find((r) => r.status === "queued");
  if (next) await startRun(tx, send, next);
}

export type RunRequest = {
  trigger: Run["trigger"];
  force?: boolean;
  actor: Actor;
  versionId?: string | null;
  /** An upload that was loaded into its scratch table while it streamed in: the load's id (the
   *  scratch table is named after it) and what was staged. Only for a run that starts at once. */
  loadId?: string;
  staged?: StagedScratch | null;
};

/**
 * Requests a run inside the caller's transaction. At most one runs per pipeline; one more may
 * wait behind it; a third request is refused (409) with a message saying so.
 */
export async function requestRunInTransaction(tx: DbOrTx, send: SendInTransaction, pipelineId: string, opts: RunRequest): Promise<Run> {
  const pipeline = await getPipelineById(pipelineId, tx);
  if (!pipeline) throw new UserError("Pipeline not found", 404);
  // Serialise requests for one pipeline; the partial unique indexes are the final word.
  await tx.execute(sqlLock(pipelineId));
  const active = await getActiveRuns(pipelineId, tx);
  if (active.some((r) => r.status === "queued")) {
    throw new UserError("This pipeline already has a run waiting behind the current one; wait for it to start, or cancel it", 409);
  }
  const run = await insertRun(
    {
      pipelineId,
      trigger: opts.trigger,
      force: Boolean(opts.force || opts.versionId),
      requestedBy: opts.actor?.id ?? null,
      datasetVersionId: opts.versionId ?? null,
    },
    tx,
  );
  if (!active.some((r) => r.status === "running")) await startRun(tx, send, run, opts);
  return (await getRunById(run.id, tx))!;
}

export async function requestRun(pipelineId: string, opts: RunRequest): Promise<Run> {
  try {
    const run = await withTransaction((tx, send) => requestRunInTransaction(tx, send, pipelineId, opts));
    if (opts.trigger !== "schedule")
      await audit(
        "run.requested",
        opts.actor,
        { type: "run", id: run.id },
        { pipelineId, trigger: opts.trigger, force: Boolean(opts.force) },
      );
    return run;
  } catch (err) {
    if ((err as { code?: string }).code === "23505") throw new UserError("This pipeline already has a run waiting", 409);
    throw err;
  }
}

function sqlLock(pipelineId: string) {
  return sql`select pg_advisory_xact_lock(hashtext(${`pipeline:${pipelineId}`}))`;
}

/** Cancel: a waiting run ends at once; a running one stops at its next safe point. */
export async function cancelRun(runId: string, actor?: AuditActor): Promise<Run> {
  const result = await withTransaction(async (tx, send) => {
    const run = await lockRun(runId, tx);
    if (!run) throw new UserError("Run not found", 404);
    if (run.status === "queued") {
      await updateRun(run.id, { status: "cancelled", outcome: "cancelled", cancelRequested: true, finishedAt: new Date() }, tx);
    } else if (run.status === "running") {
      await updateRun(run.id, { cancelRequested: true }, tx);
    } else {
      throw new UserError(`The run has already ${run.status === "succeeded" ? "succeeded" : run.status}`, 409);
    }
    if (run.status === "queued") await startNextRun(tx, send, run.pipelineId);
    return (await getRunById(run.id, tx))!;
  });
  await audit("run.cancelled", actor, { type: "run", id: runId }, { pipelineId: result.pipelineId });
  return result;
}

/** Re-runs the failed step and everything after it, in the same run. */
export async function retryRunFromFailedStep(runId: string, actor?: AuditActor): Promise<Run> {
  const result = await withTransaction(async (tx, send) => {
    const run = await lockRun(runId, tx);
    if (!run) throw new UserError("Run not found", 404);
    if (run.status !== "failed") throw new UserError("Only a failed run can be retried from its failed step", 409);
    const steps = await listRunSteps(run.id, tx);
    const failed = steps.find((s) => s.status === "failed");
    if (!failed) throw new UserError("This run has no failed step to retry", 409);
    const active = await getActiveRuns(run.pipelineId, tx);
    if (active.length) throw new UserError("Another run of this pipeline is active; retry when it has finished", 409);
    if ((failed.name === "fetch" || failed.name === "load") && run.loadId) {
      // The failed load is final; a fresh one keeps the version when only the load failed.
      const previous = await getDatasetLoad(run.loadId, tx);
      const load = await insertDatasetLoad(
        {
          datasetId: previous!.datasetId,
          requestedBy: run.requestedBy,
          force: run.force,
          versionId: failed.name === "load" ? (previous?.versionId ?? null) : null,
        },
        tx,
      );
      await updateRun(run.id, { loadId: load.id }, tx);
    }
    for (const step of steps.filter((s) => s.position >= failed.position)) {
      await updateRunStep(step.id, { status: "queued", error: null, skipReason: null, startedAt: null, finishedAt: null, counts: {} }, tx);
    }
    await updateRun(
      run.id,
      { status: "running", outcome: null, warnings: [], error: null, finishedAt: null, cancelRequested: false, trigger: run.trigger },
      tx,
    );
    await enqueueStep(send, run.id, failed.name);
    return (await getRunById(run.id, tx))!;
  });
  await audit("run.retried", actor, { type: "run", id: runId }, { pipelineId: result.pipelineId });
  return result;
}
