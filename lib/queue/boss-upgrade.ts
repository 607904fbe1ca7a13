import type { Sql } from "postgres";
import type { JobInsert, PgBoss, QueuePolicy, ScheduleOptions } from "pg-boss";
import { readLegacyBossBacklog, retireLegacyBossSchema, type LegacyJob } from "@/lib/queue/boss-adapter";

export type LegacyMove = { queues: number; jobs: number; schedules: number };

/** Send options of pg-boss 10's stored schedule options that pg-boss 12 takes too. */
const SCHEDULE_OPTION_KEYS = [
  "priority",
  "retryLimit",
  "retryDelay",
  "retryBackoff",
  "expireInSeconds",
  "singletonKey",
  "singletonSeconds",
] as const;

function toInsert(job: LegacyJob): JobInsert {
  return {
    id: job.id,
    data: job.data ?? {},
    priority: job.priority,
    // pg-boss 12 counts retries from 0 again: the job keeps the attempts it had left. An active job
    // lost its attempt with the pg-boss 10 worker that held it (pg-boss 10 would have expired it).
    retryLimit: Math.max(0, job.retryLimit - job.retryCount - (job.state === "active" ? 1 : 0)),
    retryDelay: job.retryDelay,
    retryBackoff: job.retryBackoff,
    startAfter: job.state === "active" ? new Date() : job.startAfter,
    singletonKey: job.singletonKey ?? undefined,
    expireInSeconds: job.expireInSeconds,
  };
}

/**
 * Moves what pg-boss 10 still had to do (its queues, unfinished jobs with their ids, payloads and
 * start times, and cron schedules) into the installed pg-boss, then keeps the old schema as a
 * backup. Null when there was nothing set aside. Safe to repeat after a crash: jobs keep their ids
 * and pg-boss skips an id it has already.
 */
export async function moveLegacyBossBacklog(sql: Sql, boss: PgBoss): Promise<LegacyMove | null> {
  const backlog = await readLegacyBossBacklog(sql);
  if (!backlog) return null;
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  let queues = 0;
  for (const q of backlog.queues) {
    if (existing.has(q.name)) continue;
    await boss.createQueue(q.name, {
      policy: (q.policy ?? "standard") as QueuePolicy,
      ...(q.retryLimit !== null && { retryLimit: q.retryLimit }),
      ...(q.retryDelay !== null && { retryDelay: q.retryDelay }),
      ...(q.retryBackoff !== null && { retryBackoff: q.retryBackoff }),
      ...(q.expireInSeconds !== null && { expireInSeconds: q.expireInSeconds }),
    });
    queues++;
  }
  const byQueue = new Map<string, JobInsert[]>();
  for (const job of backlog.jobs) byQueue.set(job.name, [...(byQueue.get(job.name) ?? []), toInsert(job)]);
  for (const [name, jobs] of byQueue) await boss.insert(name, jobs);
  for (const s of backlog.schedules) {
    const options: ScheduleOptions = {};
    for (const key of SCHEDULE_OPTION_KEYS) if (s.options?.[key] !== undefined) Object.assign(options, { [key]: s.options[key] });
    if (s.timezone) options.tz = s.timezone;
    await boss.schedule(s.name, s.cron, s.data ?? undefined, options);
  }
  await retireLegacyBossSchema(sql);
  return { queues, jobs: backlog.jobs.length, schedules: backlog.schedules.length };
}
