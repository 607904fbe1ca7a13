import os from "node:os";
import { and, eq, lt, sql, type SQL } from "drizzle-orm";
import type { Logger } from "pino";
import { getDb, getSql } from "@/db";
import { lockRun } from "@/db/queries/pipelines";
import { runSteps, type StepName } from "@/db/schema/pipelines";
import { withTransaction } from "@/lib/queue/transaction";
import { listLiveJobPayloads } from "@/lib/queue/boss-adapter";
import { runStepJob } from "@/lib/queue/jobs";
import { enqueueStep } from "@/lib/pipeline/runs";

/** A running step whose heartbeat is older than this belongs to a worker that went silent. */
export const STALE_AFTER_MS = 30_000;

/**
 * Heartbeats come every second; one this old from a worker process that no longer exists on this
 * machine is final, so its step is handed on without waiting out STALE_AFTER_MS (a supervisor
 * restarting a crashed worker gets its step back in seconds).
 */
export const DEAD_LOCAL_AFTER_MS = 5_000;

const staleBefore = (ms = STALE_AFTER_MS) => sql`now() - make_interval(secs => ${ms / 1000})`;

/** Worker ids are "host:pid:random" (jobs/worker.ts). */
function heldByDeadLocalProcess(workerId: string | null, self: string): boolean {
  const [host, pid] = (workerId ?? "").split(":");
  if (!workerId || workerId === self || host !== os.hostname() || !/^\d+$/.test(pid ?? "")) return false;
  // Our own pid under another worker id: a predecessor in a restarted container.
  if (Number(pid) === process.pid) return true;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

type StepRef = { id: string; runId: string; name: StepName };

/**
 * Puts a running step back in the queue with a fresh job, if `condition` still holds when its run
 * is locked. The next claim bumps its attempt, so whoever held it can no longer finish it.
 */
export async function handOnStep(step: StepRef, condition: SQL): Promise<boolean> {
  return withTransaction(async (tx, send) => {
    const run = await lockRun(step.runId, tx);
    if (!run || run.status !== "running") return false;
    // The heartbeat is bumped so other reapers leave it; the claim will take it over properly.
    const [moved] = await tx
      .update(runSteps)
      .set({ status: "queued", heartbeatAt: sql`now()` })
      .where(and(eq(runSteps.id, step.id), eq(runSteps.status, "running"), condition))
      .returning({ id: runSteps.id });
    if (!moved) return false;
    await enqueueStep(send, step.runId, step.name);
    return true;
  });
}

/**
 * Hands steps whose worker went silent to another worker. Safe to run from every worker at once
 * (the hand-on is conditional under the run's lock); one is enough. `self` is the calling
 * worker's id.
 */
export async function reapStaleSteps(log: Logger, self: string): Promise<number> {
  const quiet = await getDb()
    .select({
      id: runSteps.id,
      runId: runSteps.runId,
      name: runSteps.name,
      workerId: runSteps.workerId,
      silent: sql<boolean>`${runSteps.heartbeatAt} < ${staleBefore()}`,
    })
    .from(runSteps)
    .where(and(eq(runSteps.status, "running"), lt(runSteps.heartbeatAt, staleBefore(DEAD_LOCAL_AFTER_MS))));
  let handedOn = 0;
  for (const step of quiet) {
    const dead = !step.silent && heldByDeadLocalProcess(step.workerId, self);
    if (!step.silent && !dead) continue;
    const still = dead
      ? and(eq(runSteps.workerId, step.workerId!), lt(runSteps.heartbeatAt, staleBefore(DEAD_LOCAL_AFTER_MS)))!
      : lt(runSteps.heartbeatAt, staleBefore());
    if (!(await handOnStep(step, still))) continue;
    handedOn++;
    log.warn(
      { runId: step.runId, step: step.name, previousWorker: step.workerId },
      dead ? "worker process is gone; step handed on" : "worker went silent; step handed to another worker",
    );
  }
  return handedOn;
}

/**
 * Re-enqueues a run's next step when no job will ever run it: its job was taken by a worker that
 * died before claiming the step, or failed before the claim because the database was away. Such
 * a step stays queued with nothing running, and without this its run would stay running forever.
 * A step still waiting in a long queue has a job in pg-boss (created), so it is left alone; an
 * active job older than the stale limit would have claimed its step long ago. pg-boss's side is
 * read through lib/queue/boss-adapter.ts.
 */
export async function reapOrphanedSteps(log: Logger): Promise<number> {
  const staleSecs = STALE_AFTER_MS / 1000;
  const candidates = (await getSql()`
    select s.id, s.run_id as "runId", s.name
    from relayboard.run_steps s
    join relayboard.runs r on r.id = s.run_id and r.status = 'running'
    where s.status = 'queued'
      and not exists (
        select 1 from relayboard.run_steps o
        where o.run_id = s.run_id and (o.status = 'running' or (o.status = 'queued' and o.position < s.position)))
      and coalesce(
        s.heartbeat_at,
        (select max(p.finished_at) from relayboard.run_steps p where p.run_id = s.run_id and p.position < s.position),
        r.started_at) < now() - make_interval(secs => ${staleSecs})
  `) as unknown as StepRef[];
  if (candidates.length === 0) return 0;
  // Read after the candidates: a job sent meanwhile only makes its step look alive, never orphaned.
  const live = new Set(
    (await listLiveJobPayloads(runStepJob.name, staleSecs)).map((data) => {
      const { runId, step } = (data ?? {}) as { runId?: string; step?: string };
      return `${runId}:${step}`;
    }),
  );
  const orphans = candidates.filter((s) => !live.has(`${s.runId}:${s.name}`));
  let requeued = 0;
  for (const step of orphans) {
    const sent = await withTransaction(async (tx, send) => {
      const run = await lockRun(step.runId, tx);
      if (!run || run.status !== "running") return false;
      // Stamped so that a second reaper running now, or this one in five seconds, leaves it.
      const [stamped] = await tx
        .update(runSteps)
        .set({ heartbeatAt: sql`now()` })
        .where(
          and(eq(runSteps.id, step.id), eq(runSteps.status, "queued"), sql`coalesce(${runSteps.heartbeatAt}, 'epoch') < ${staleBefore()}`),
        )
        .returning({ id: runSteps.id });
      if (!stamped) return false;
      await enqueueStep(send, step.runId, step.name);
      return true;
    });
    if (!sent) continue;
    requeued++;
    log.warn({ runId: step.runId, step: step.name }, "step was queued with no job to run it; enqueued again");
  }
  return requeued;
}
