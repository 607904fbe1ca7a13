import type { Sql } from "postgres";
import { getSql } from "@/db";
import { BOSS_SCHEMA } from "@/lib/queue/boss";

/**
 * The one module that reads pg-boss's own tables. Their layout is pg-boss's internal business and
 * changes between majors (v11 partitioned `job` by queue), so every such query lives here and
 * tests/boss-adapter.test.ts runs each against the installed pg-boss. Only columns that pg-boss 10
 * and 12 share are read: name, data, state, created_on, started_on.
 */

export type QueueBacklog = { queue: string; waiting: number; oldestAgeSeconds: number };

/** Jobs waiting to run (created or due for a retry) per queue, and the age of the oldest. */
export async function listQueueBacklogs(sql: Sql = getSql()): Promise<QueueBacklog[]> {
  const rows = await sql<{ queue: string; waiting: number; age: number }[]>`
    select name as queue, count(*)::int as waiting, coalesce(extract(epoch from now() - min(created_on)), 0)::float8 as age
    from ${sql(BOSS_SCHEMA)}.job
    where state in ('created', 'retry')
    group by name`;
  return rows.map((r) => ({ queue: r.queue, waiting: r.waiting, oldestAgeSeconds: Number(r.age) }));
}

/**
 * Payloads of `queue`'s jobs that will still be delivered (created, retry) or were taken by a worker
 * less than `activeWithinSeconds` ago: a step with such a job is not an orphan.
 */
export async function listLiveJobPayloads(queue: string, activeWithinSeconds: number, sql: Sql = getSql()): Promise<unknown[]> {
  const rows = await sql<{ data: unknown }[]>`
    select data from ${sql(BOSS_SCHEMA)}.job
    where name = ${queue}
      and (state in ('created', 'retry') or (state = 'active' and started_on > now() - make_interval(secs => ${activeWithinSeconds})))`;
  return rows.map((r) => r.data);
}

