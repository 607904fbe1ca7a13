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

/*
 * Upgrading from pg-boss 10. pg-boss 11 changed the job tables and ships no migration from 10's
 * schema (version 24; its migrations start at 25), so a database left by pg-boss 10 is upgraded
 * in three moves: its schema is set aside under another name, the installed pg-boss creates its own,
 * and the waiting jobs and schedules are sent again through the installed pg-boss's API
 * (lib/queue/boss-upgrade.ts). Only the reads of the old schema are SQL, and they are here.
 */

/** Where pg-boss 10's schema is kept while its jobs move, and (renamed to `…_backup`) after. */
export const LEGACY_BOSS_SCHEMA = `${BOSS_SCHEMA}_v10`;
export const LEGACY_BOSS_BACKUP_SCHEMA = `${LEGACY_BOSS_SCHEMA}_backup`;
/** The first schema version pg-boss 11+ can migrate from. */
export const FIRST_MIGRATABLE_BOSS_VERSION = 25;

/** pg-boss's schema version in `schema`, or null when it is not installed there. */
export async function bossSchemaVersion(sql: Sql, schema: string = BOSS_SCHEMA): Promise<number | null> {
  const [table] = await sql<{ name: string | null }[]>`select to_regclass(${`${schema}.version`})::text as name`;
  if (!table?.name) return null;
  const [row] = await sql<{ version: number }[]>`select version::int as version from ${sql(schema)}.version`;
  return row?.version ?? null;
}

async function schemaExists(sql: Sql, schema: string): Promise<boolean> {
  const [row] = await sql<{ found: boolean }[]>`select exists (select 1 from pg_namespace where nspname = ${schema}) as found`;
  return Boolean(row?.found);
}

/**
 * Renames a pg-boss 10 schema (version below 25) to LEGACY_BOSS_SCHEMA so that the installed
 * pg-boss creates a fresh one. True when it did. Refuses when an earlier set-aside was never moved.
 */
export async function setAsideLegacyBossSchema(sql: Sql): Promise<boolean> {
  const version = await bossSchemaVersion(sql);
  if (version === null || version >= FIRST_MIGRATABLE_BOSS_VERSION) return false;
  if (await schemaExists(sql, LEGACY_BOSS_SCHEMA)) {
    throw new Error(
      `pg-boss schema ${BOSS_SCHEMA} is at version ${version} and ${LEGACY_BOSS_SCHEMA} exists already; see docs/queue.md (upgrading from pg-boss 10)`,
    );
  }
  await sql`alter schema ${sql(BOSS_SCHEMA)} rename to ${sql(LEGACY_BOSS_SCHEMA)}`;
  return true;
}

export type LegacyQueue = {
  name: string;
  policy: string | null;
  retryLimit: number | null;
  retryDelay: number | null;
  retryBackoff: boolean | null;
  expireInSeconds: number | null;
};

export type LegacyJob = {
  id: string;
  name: string;
  data: object | null;
  state: "created" | "retry" | "active";
  priority: number;
  retryLimit: number;
  retryCount: number;
  retryDelay: number;
  retryBackoff: boolean;
  startAfter: Date;
  singletonKey: string | null;
  expireInSeconds: number;
};

export type LegacySchedule = {
  name: string;
  cron: string;
  timezone: string | null;
  data: object | null;
  options: Record<string, unknown> | null;
};

export type LegacyBacklog = { queues: LegacyQueue[]; jobs: LegacyJob[]; schedules: LegacySchedule[] };

/** pg-boss 10's queues, unfinished jobs (created, retry, active) and cron schedules; null when none was set aside. */
export async function readLegacyBossBacklog(sql: Sql): Promise<LegacyBacklog | null> {
  if (!(await schemaExists(sql, LEGACY_BOSS_SCHEMA))) return null;
  const schema = sql(LEGACY_BOSS_SCHEMA);
  const queues = await sql<LegacyQueue[]>`
    select name, policy, retry_limit as "retryLimit", retry_delay as "retryDelay", retry_backoff as "retryBackoff",
      expire_seconds as "expireInSeconds"
    from ${schema}.queue order by created_on`;
  const jobs = await sql<LegacyJob[]>`
    select id, name, data, state::text as state, priority, retry_limit as "retryLimit", retry_count as "retryCount",
      retry_delay as "retryDelay", retry_backoff as "retryBackoff", start_after as "startAfter",
      singleton_key as "singletonKey", extract(epoch from expire_in)::int as "expireInSeconds"
    from ${schema}.job
    where state in ('created', 'retry', 'active')
    order by created_on`;
  const schedules = await sql<LegacySchedule[]>`select name, cron, timezone, data, options from ${schema}.schedule order by name`;
  return { queues, jobs, schedules };
}

/** Keeps pg-boss 10's schema, all history included, as LEGACY_BOSS_BACKUP_SCHEMA once its backlog has moved. */
export async function retireLegacyBossSchema(sql: Sql): Promise<void> {
  await sql`alter schema ${sql(LEGACY_BOSS_SCHEMA)} rename to ${sql(LEGACY_BOSS_BACKUP_SCHEMA)}`;
}
