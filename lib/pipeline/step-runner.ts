import { and, eq, lt, or, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { getDb } from "@/db";
import { appendStepLog, getRunById, listRunSteps, lockRun, updateRun, updateRunStep } from "@/db/queries/pipelines";
import { runSteps, type Run, type RunStep, type StepCounts, type StepName } from "@/db/schema/pipelines";
import { withTransaction } from "@/lib/queue/transaction";
import { enqueueStep, startNextRun } from "@/lib/pipeline/runs";
import { performStep, type StepResult } from "@/lib/pipeline/steps";
import { sendFailureAlert } from "@/lib/pipeline/deliveries";

export const HEARTBEAT_MS = 5_000;
export const STALE_AFTER_MS = 30_000;
export const MAX_STEP_ATTEMPTS = 5;

type StepContext = { workerId: string; log: Logger };

/**
 * Claims a step for this worker: only a queued step, or one whose worker went silent, can be
 * claimed, and each claim bumps the attempt number. Returns null when someone else has it or
 * it is already finished (a duplicate or stale job).
 */
async function claimStep(runId: string, name: StepName, workerId: string): Promise<RunStep | null> {
  const [claimed] = await getDb()
    .update(runSteps)
    .set({ status: "running", attempt: sql`${runSteps.attempt} + 1`, workerId, heartbeatAt: sql`now()`, startedAt: sql`coalesce(${runSteps.startedAt}, now())` })
    .where(
      and(
        eq(runSteps.runId, runId),
        eq(runSteps.name, name),
        or(
          eq(runSteps.status, "queued"),
          and(eq(runSteps.status, "running"), lt(runSteps.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_MS / 1000})`)),
        ),
      ),
    )
    .returning();
  return claimed ?? null;
}

async function stillOwned(step: RunStep): Promise<boolean> {
  const [row] = await getDb()
    .select({ attempt: runSteps.attempt, status: runSteps.status })
    .from(runSteps)
    .where(eq(runSteps.id, step.id));
  return row?.attempt === step.attempt && row.status === "running";
}

export async function executeStep(runId: string, name: StepName, ctx: StepContext): Promise<void> {
  const run = await getRunById(runId);
  if (!run || run.status !== "running") return;
  const step = await claimStep(runId, name, ctx.workerId);
  if (!step) return;
  const log = ctx.log.child({ runId, step: name, attempt: step.attempt });
  if (step.attempt > MAX_STEP_ATTEMPTS) {
    await finishStep(run, step, { status: "failed", error: { message: `The step was handed to a worker ${MAX_STEP_ATTEMPTS} times without finishing; giving up` } }, log);
    return;
  }
  if (step.attempt > 1) await appendStepLog(step.id, { at: new Date().toISOString(), level: "warn", message: `Resumed on ${ctx.workerId} (attempt ${step.attempt})` });

  const controller = new AbortController();
  // While the step runs: a heartbeat (so a dead worker's step is handed on within 30 s) and a
  // watch for cancellation (so a long load stops at its next safe point).
  const beat = setInterval(async () => {
    try {
      await updateRunStep(step.id, { heartbeatAt: new Date() });
      const current = await getRunById(runId);
      if (current?.cancelRequested) controller.abort(new Error("cancelled"));
    } catch (err) {
      log.warn({ err: String(err) }, "heartbeat failed");
    }
  }, HEARTBEAT_MS / 5);

  let result: StepResult;
  try {
    if (run.cancelRequested) result = { status: "cancelled" };
    else result = await performStep(run, step, { log, signal: controller.signal, stepLog: (level, message) => appendStepLog(step.id, { at: new Date().toISOString(), level, message }) });
  } catch (err) {
    result = controller.signal.aborted
      ? { status: "cancelled" }
      : { status: "failed", error: { message: err instanceof Error ? err.message : String(err) } };
  } finally {
    clearInterval(beat);
  }
  if (controller.signal.aborted && result.status === "failed") result = { status: "cancelled" };
  if (!(await stillOwned(step))) {
    log.warn("step was handed to another worker meanwhile; discarding this result");
    return;
  }
  await finishStep(run, step, result, log);
}

/**
 * Records a step's outcome and moves the run on, in one transaction with the next step's job:
 * a step's success and its successor's enqueueing commit together or not at all.
 */
async function finishStep(run: Run, step: RunStep, result: StepResult, log: Logger): Promise<void> {
  let alert = false;
  await withTransaction(async (tx, send) => {
    const current = await lockRun(run.id, tx);
    if (!current || current.status !== "running") return;
    const now = new Date();
    await updateRunStep(
      step.id,
      {
        status: result.status,
        finishedAt: now,
        ...(result.counts ? { counts: result.counts as StepCounts } : {}),
        ...(result.progress ? { progress: result.progress } : {}),
        error: result.status === "failed" ? result.error ?? { message: "failed" } : null,
        skipReason: result.skipReason ?? null,
      },
      tx,
    );
    const steps = await listRunSteps(run.id, tx);
    const later = steps.filter((s) => s.position > step.position);
    if (result.status === "succeeded" && !result.skipRest && later.length) {
      await enqueueStep(send, run.id, later[0]!.name);
      return;
    }
    // The run ends here: mark what did not run, then let the next waiting run start.
    const reason =
      result.status === "failed" ? `skipped: the ${step.name} step failed` : result.status === "cancelled" ? "cancelled" : result.skipReason ?? "skipped";
    for (const s of later) {
      await updateRunStep(s.id, { status: result.status === "cancelled" ? "cancelled" : "skipped", skipReason: reason, finishedAt: now }, tx);
    }
    const status = result.status === "failed" ? "failed" : result.status === "cancelled" ? "cancelled" : "succeeded";
    await updateRun(
      run.id,
      {
        status,
        finishedAt: now,
        error: status === "failed" ? { message: result.error?.message ?? "failed", step: step.name, detail: result.error?.detail } : null,
      },
      tx,
    );
    alert = status === "failed";
    if (current.loadId && status === "cancelled") {
      // A run cancelled before (or during) its load must not leave that load looking active.
      await tx.execute(sql`update relayboard.dataset_loads set status = 'cancelled', finished_at = now()
        where id = ${current.loadId} and status in ('queued', 'running')`);
    }
    await startNextRun(tx, send, run.pipelineId);
  });
  log.info({ status: result.status }, "step finished");
  if (alert) await sendFailureAlert(run.id).catch((err) => log.warn({ err: String(err) }, "failure alert not sent"));
}

/**
 * Hands steps whose worker went silent to another worker, and ends runs nothing can finish.
 * Safe to run from every worker at once (claims are atomic); one is enough.
 */
export async function reapStaleSteps(log: Logger): Promise<number> {
  const stale = await getDb()
    .select()
    .from(runSteps)
    .where(and(eq(runSteps.status, "running"), lt(runSteps.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_MS / 1000})`)));
  let handedOn = 0;
  for (const step of stale) {
    await withTransaction(async (tx, send) => {
      const run = await lockRun(step.runId, tx);
      if (!run || run.status !== "running") return;
      // Bump the heartbeat so other reapers leave it; the claim will take it over properly.
      const [moved] = await tx
        .update(runSteps)
        .set({ status: "queued", heartbeatAt: sql`now()` })
        .where(and(eq(runSteps.id, step.id), eq(runSteps.status, "running"), lt(runSteps.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_MS / 1000})`)))
        .returning();
      if (!moved) return;
      await enqueueStep(send, step.runId, step.name);
      handedOn++;
    });
    log.warn({ runId: step.runId, step: step.name }, "worker went silent; step handed to another worker");
  }
  return handedOn;
}
