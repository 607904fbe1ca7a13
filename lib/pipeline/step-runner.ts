import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, lt, or, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { getDb, getSql } from "@/db";
import { getDatasetLoad } from "@/db/queries/datasets";
import { appendStepLog, getRunById, listRunSteps, lockRun, updateRun, updateRunStep } from "@/db/queries/pipelines";
import { runSteps, type Run, type RunStep, type StepCounts, type StepName } from "@/db/schema/pipelines";
import { withTransaction } from "@/lib/queue/transaction";
import { enqueueStep, startNextRun } from "@/lib/pipeline/runs";
import { performStep, type StepResult } from "@/lib/pipeline/steps";
import { sendFailureAlert } from "@/lib/pipeline/deliveries";
import { describeFault, isDatabaseConnectionError, isTransientFault } from "@/lib/pipeline/faults";
import { STALE_AFTER_MS, handOnStep } from "@/lib/pipeline/reaper";
import { dropLoadScratch } from "@/lib/ingest/staging-sql";

export const HEARTBEAT_MS = 5_000;
export const MAX_STEP_ATTEMPTS = 5;
/** Pauses between the tries of a step that failed transiently (storage, source or database away). */
export const RETRY_DELAYS_MS = [1_000, 2_000, 4_000];
/** After the database restarted under a step, how long it may go without settling or progress before it counts as stuck. */
export const STUCK_AFTER_DB_RESTART_MS = 15_000;

/**
 * The worker should exit and be started afresh: a step of this worker hung on a database
 * connection that no longer exists. It has been handed on; a promise that never settles cannot be
 * cancelled, and only a new process is sure to be rid of whatever it would still do.
 */
export class WorkerMustRestartError extends Error {
  override name = "WorkerMustRestartError";
}

class StepStuckError extends Error {
  override name = "StepStuckError";
}

type StepContext = { workerId: string; log: Logger };

/**
 * Claims a step for this worker: only a queued step, or one whose worker went silent, can be
 * claimed, and each claim bumps the attempt number. Returns null when someone else has it or
 * it is already finished (a duplicate or stale job).
 */
async function claimStep(runId: string, name: StepName, workerId: string): Promise<RunStep | null> {
  const [claimed] = await getDb()
    .update(runSteps)
    .set({
      status: "running",
      attempt: sql`${runSteps.attempt} + 1`,
      workerId,
      heartbeatAt: sql`now()`,
      startedAt: sql`coalesce(${runSteps.startedAt}, now())`,
    })
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
  const [row] = await getDb().select({ attempt: runSteps.attempt, status: runSteps.status }).from(runSteps).where(eq(runSteps.id, step.id));
  return row?.attempt === step.attempt && row.status === "running";
}

async function serverStartTime(): Promise<string> {
  const [row] = await getSql()`select pg_postmaster_start_time()::text as started`;
  return row!.started as string;
}

/**
 * Notices when the database server restarted while a try was in flight: every connection the try
 * held is gone then. A try that neither settles nor makes progress (the run's load reports bytes
 * and rows as it goes) for a while after has been seen to wait forever on one of them; a fetch
 * that streams on regardless is left alone.
 */
function createRestartWatch(log: Logger, { enabled, loadId }: { enabled: boolean; loadId: string | null }) {
  let baseline: string | null = null;
  let restartedAt: number | null = null;
  let progressMark: number | null = null;
  let fire: ((err: Error) => void) | null = null;
  const progressAt = async () => (loadId ? ((await getDatasetLoad(loadId))?.progressAt?.getTime() ?? null) : null);
  return {
    /** Before a try: remembers the server's start time; `stuck` rejects if the try gets stuck. */
    async arm(): Promise<{ stuck: Promise<never> }> {
      baseline = enabled ? await serverStartTime() : null;
      restartedAt = null;
      // Wrapped: an async function returning a bare promise would wait for it to settle.
      return { stuck: new Promise<never>((_, reject) => (fire = reject)) };
    },
    disarm() {
      baseline = null;
      fire = null;
    },
    /** From the heartbeat. */
    async check() {
      if (!enabled || baseline === null) return;
      if (restartedAt === null) {
        if ((await serverStartTime()) === baseline) return;
        restartedAt = Date.now();
        progressMark = await progressAt();
        log.warn("the database restarted while this step was running");
      }
      if (Date.now() - restartedAt <= STUCK_AFTER_DB_RESTART_MS) return;
      if ((await progressAt()) !== progressMark) {
        // Still moving: it came through the restart. Watch for the next one.
        baseline = await serverStartTime();
        restartedAt = null;
        return;
      }
      fire?.(new StepStuckError(`made no progress for ${STUCK_AFTER_DB_RESTART_MS / 1000} s after the database restarted`));
    },
  };
}

export async function executeStep(runId: string, name: StepName, ctx: StepContext): Promise<void> {
  const run = await getRunById(runId);
  if (!run || run.status !== "running") return;
  const step = await claimStep(runId, name, ctx.workerId);
  if (!step) return;
  const log = ctx.log.child({ runId, step: name, attempt: step.attempt });
  if (step.attempt > MAX_STEP_ATTEMPTS) {
    await finishStep(
      run,
      step,
      { status: "failed", error: { message: `The step was handed to a worker ${MAX_STEP_ATTEMPTS} times without finishing; giving up` } },
      log,
    );
    return;
  }
  if (step.attempt > 1)
    await appendStepLog(step.id, {
      at: new Date().toISOString(),
      level: "warn",
      message: `Resumed on ${ctx.workerId} (attempt ${step.attempt})`,
    });

  const controller = new AbortController();
  // Delivery is left out: it mostly waits on Slack, which may legitimately take minutes.
  const watch = createRestartWatch(log, { enabled: name !== "deliver", loadId: name === "fetch" || name === "load" ? run.loadId : null });
  // While the step runs: a heartbeat (so a dead worker's step is handed on within 30 s), a watch
  // for cancellation (so a long load stops at its next safe point) and one for database restarts.
  let beating = false;
  const beat = setInterval(async () => {
    if (beating) return; // a tick waiting on an unreachable database must not pile up behind it
    beating = true;
    try {
      await updateRunStep(step.id, { heartbeatAt: new Date() });
      const current = await getRunById(runId);
      if (current?.cancelRequested) controller.abort(new Error("cancelled"));
      await watch.check();
    } catch (err) {
      log.warn({ err: String(err) }, "heartbeat failed");
    } finally {
      beating = false;
    }
  }, HEARTBEAT_MS / 5);

  try {
    let result = await performWithRetries(run, step, controller.signal, watch, log);
    if (controller.signal.aborted && result.status === "failed") result = { status: "cancelled" };
    await recordOutcome(run, step, result, log);
  } catch (err) {
    if (!(err instanceof StepStuckError)) throw err;
    log.error({ reason: err.message }, "step is stuck on a lost database connection; handing it on");
    await handOnStep(step, eq(runSteps.attempt, step.attempt)).catch((e) =>
      log.warn({ err: String(e) }, "hand-on failed; the reaper will do it"),
    );
    throw new WorkerMustRestartError(`step ${name} of run ${runId} ${err.message}`);
  } finally {
    clearInterval(beat);
  }
}

/**
 * Runs the step, trying again after a pause when it failed transiently; the last try is told so,
 * and a step that still fails says which service failed and how often it was tried.
 */
async function performWithRetries(
  run: Run,
  step: RunStep,
  signal: AbortSignal,
  watch: ReturnType<typeof createRestartWatch>,
  log: Logger,
): Promise<StepResult> {
  const stepLog = (level: "info" | "warn" | "error", message: string) =>
    appendStepLog(step.id, { at: new Date().toISOString(), level, message });
  // Why a try was repeated goes into the step's log; while the database is away it waits here.
  const notes: string[] = [];
  const writeNotes = async () => {
    for (; notes.length; notes.shift()) await stepLog("warn", notes[0]!);
  };
  for (let tryIndex = 0; ; tryIndex++) {
    const isLastTry = tryIndex >= RETRY_DELAYS_MS.length;
    try {
      if (run.cancelRequested || signal.aborted) return { status: "cancelled" };
      await writeNotes();
      const { stuck } = await watch.arm();
      try {
        return await Promise.race([performStep(run, step, { log, signal, stepLog, tryNumber: tryIndex + 1, isLastTry }), stuck]);
      } finally {
        watch.disarm();
      }
    } catch (err) {
      if (err instanceof StepStuckError) throw err;
      if (signal.aborted) return { status: "cancelled" };
      if (!isTransientFault(err)) return { status: "failed", error: { message: err instanceof Error ? err.message : String(err) } };
      const fault = describeFault(err);
      if (isLastTry)
        return { status: "failed", error: { message: `${fault.message} (gave up after ${tryIndex + 1} tries)`, detail: fault.detail } };
      const delay = RETRY_DELAYS_MS[tryIndex]!;
      log.warn({ err: String(err), delayMs: delay }, "step failed transiently; trying again");
      notes.push(`${fault.message}; trying again in ${delay / 1000} s (try ${tryIndex + 2} of ${RETRY_DELAYS_MS.length + 1})`);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        return { status: "cancelled" };
      }
    }
  }
}

/**
 * Records the outcome, waiting out a short database outage instead of leaving a finished step
 * to be run again by the reaper. Gives up (and leaves it to the reaper) after the same pauses.
 */
async function recordOutcome(run: Run, step: RunStep, result: StepResult, log: Logger): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      if (!(await stillOwned(step))) {
        log.warn("step was handed to another worker meanwhile; discarding this result");
        return;
      }
      await finishStep(run, step, result, log);
      return;
    } catch (err) {
      if (i >= RETRY_DELAYS_MS.length || !isDatabaseConnectionError(err)) throw err;
      log.warn({ err: String(err) }, "could not record the step's outcome; trying again");
      await sleep(RETRY_DELAYS_MS[i]!);
    }
  }
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
        error: result.status === "failed" ? (result.error ?? { message: "failed" }) : null,
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
      result.status === "failed"
        ? `skipped: the ${step.name} step failed`
        : result.status === "cancelled"
          ? "cancelled"
          : (result.skipReason ?? "skipped");
    for (const s of later) {
      await updateRunStep(
        s.id,
        { status: result.status === "cancelled" ? "cancelled" : "skipped", skipReason: reason, finishedAt: now },
        tx,
      );
    }
    const status = result.status === "failed" ? "failed" : result.status === "cancelled" ? "cancelled" : "succeeded";
    // Read back after this step's update above, so its own warnings are among them.
    const warnings = steps.flatMap((s) => s.counts.warnings ?? []);
    await updateRun(
      run.id,
      {
        status,
        outcome: status === "succeeded" && warnings.length ? "succeeded_with_warnings" : status,
        warnings,
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
  if (run.loadId && (result.status === "cancelled" || result.status === "failed")) {
    // An upload fills its load's scratch table before the run starts (lib/ingest/upload.ts); a
    // run that ends without loading must not leave a table the size of the file behind.
    await dropLoadScratch(getSql(), run.loadId).catch((err: unknown) => log.warn({ err: String(err) }, "scratch table not dropped"));
  }
  if (alert) await sendFailureAlert(run.id).catch((err) => log.warn({ err: String(err) }, "failure alert not sent"));
}
