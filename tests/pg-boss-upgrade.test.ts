import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import postgres from "postgres";
import { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrateDatabase } from "@/lib/database/migrate";
import { bossOptions } from "@/lib/queue/boss";
import { ensureQueues } from "@/lib/queue/ensure-queues";
import { ingestDatasetJob, queueProbeJob, runStepJob } from "@/lib/queue/jobs";
import { createFreshDatabase } from "./helpers/test-database";

/**
 * A database as Relayboard with pg-boss 10 left it: pg-boss 10.4.2's schema (tests/fixtures, made
 * by pg-boss 10's own plans.js), the app's queues made by its create_queue(), and jobs in every
 * unfinished state plus a cron schedule. pg-boss 12 cannot migrate that schema (its migrations
 * start at version 25); lib/queue/boss-upgrade.ts moves the backlog, and this checks it all runs.
 */
const FIXTURE = path.join(process.cwd(), "tests", "fixtures", "pg-boss-10-schema.sql");
const NIGHTLY = "legacy.nightly";

let own: Awaited<ReturnType<typeof createFreshDatabase>>;
let sql: postgres.Sql;
let boss: PgBoss | undefined;

beforeAll(async () => {
  own = await createFreshDatabase(inject("serverUrl"), "rb_test_bossup");
  sql = postgres(own.url, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await boss?.stop({ graceful: false, close: true });
  await sql.end({ timeout: 5 });
  await own.drop();
});

const ids = {
  queued: crypto.randomUUID(),
  deferred: crypto.randomUUID(),
  retrying: crypto.randomUUID(),
  active: crypto.randomUUID(),
  done: crypto.randomUUID(),
  nightly: crypto.randomUUID(),
};
const data = {
  queued: { probeId: crypto.randomUUID() },
  deferred: { loadId: crypto.randomUUID() },
  retrying: { loadId: crypto.randomUUID() },
  active: { runId: crypto.randomUUID(), step: "fetch" },
};

async function buildPgBoss10Database(): Promise<void> {
  await sql.unsafe(fs.readFileSync(FIXTURE, "utf8"));
  for (const job of [queueProbeJob, ingestDatasetJob, runStepJob]) {
    const { retryLimit, retryDelay, retryBackoff, expireInSeconds } = job.queue;
    await sql`select pgboss.create_queue(${job.name}, ${JSON.stringify({ policy: "standard", retryLimit, retryDelay, retryBackoff, expireInSeconds })}::json)`;
  }
  await sql`select pgboss.create_queue(${NIGHTLY}, ${JSON.stringify({ policy: "standard", retryLimit: 1, expireInSeconds: 120 })}::json)`;
  const insert = (id: string, name: string, payload: object, columns: Record<string, unknown>) =>
    sql`insert into pgboss.job ${sql({ id, name, data: sql.json(payload as postgres.JSONValue), ...columns } as Record<string, postgres.SerializableParameter>)}`;
  await insert(ids.queued, queueProbeJob.name, data.queued, { retry_limit: 0 });
  await insert(ids.deferred, ingestDatasetJob.name, data.deferred, { retry_limit: 3, retry_delay: 5, retry_backoff: true });
  await sql`update pgboss.job set start_after = now() + interval '4 seconds', expire_in = interval '6 hours' where id = ${ids.deferred}`;
  await insert(ids.retrying, ingestDatasetJob.name, data.retrying, { retry_limit: 3, retry_count: 1 });
  await sql`update pgboss.job set state = 'retry' where id = ${ids.retrying}`;
  // Taken by a pg-boss 10 worker that was stopped for the upgrade.
  await insert(ids.active, runStepJob.name, data.active, { retry_limit: 0 });
  await sql`update pgboss.job set state = 'active', started_on = now() - interval '1 minute' where id = ${ids.active}`;
  await insert(ids.done, queueProbeJob.name, { probeId: crypto.randomUUID() }, {});
  await sql`update pgboss.job set state = 'completed', completed_on = now() where id = ${ids.done}`;
  await insert(ids.nightly, NIGHTLY, { report: "sales" }, {});
  await sql`insert into pgboss.schedule (name, cron, timezone, data, options)
    values (${NIGHTLY}, '0 3 * * *', 'Europe/Berlin', ${sql.json({ report: "sales" })}, ${sql.json({ retryLimit: 1 })})`;
}

describe("upgrading from pg-boss 10", () => {
  it("keeps every waiting job (id, payload, start time, attempts left) and the cron schedule, and runs them", async () => {
    await buildPgBoss10Database();
    expect((await sql`select version from pgboss.version`)[0]?.version).toBe(24);

    await migrateDatabase(own.url, { withBoss: ensureQueues });
    // Twice, as every process start does: the second finds nothing to move.
    await migrateDatabase(own.url, { withBoss: ensureQueues });

    const [version] = await sql`select version from pgboss.version`;
    expect(version?.version).toBeGreaterThanOrEqual(25);
    // The old schema, history included, stays as a backup.
    const [kept] = await sql`select count(*)::int as n from pgboss_v10_backup.job`;
    expect(kept?.n).toBe(6);

    boss = new PgBoss(bossOptions(own.url, "web"));
    boss.on("error", () => {});
    await boss.start();

    const find = async (name: string, id: string) => (await boss!.findJobs(name, { id }))[0];
    expect(await find(queueProbeJob.name, ids.done)).toBeUndefined();
    const retrying = await find(ingestDatasetJob.name, ids.retrying);
    expect(retrying).toMatchObject({ state: "created", data: data.retrying, retryLimit: 2 });
    expect(await find(runStepJob.name, ids.active)).toMatchObject({ state: "created", data: data.active, retryLimit: 0 });
    expect((await find(ingestDatasetJob.name, ids.deferred))?.startAfter.getTime()).toBeGreaterThan(Date.now());

    const schedules = await boss.getSchedules(NIGHTLY);
    expect(schedules).toMatchObject([{ name: NIGHTLY, cron: "0 3 * * *", timezone: "Europe/Berlin", data: { report: "sales" } }]);

    const take = async (name: string) => (await boss!.fetch(name, { batchSize: 10 })).map((j) => j.id).sort();
    expect(await take(queueProbeJob.name)).toEqual([ids.queued]);
    expect(await take(runStepJob.name)).toEqual([ids.active]);
    expect(await take(NIGHTLY)).toEqual([ids.nightly]);
    // The retry is due; the deferred job waits for its start time, then runs.
    expect(await take(ingestDatasetJob.name)).toEqual([ids.retrying]);
    await new Promise((r) => setTimeout(r, 4_500));
    expect(await take(ingestDatasetJob.name)).toEqual([ids.deferred]);

    await boss.complete(ingestDatasetJob.name, ids.deferred);
    expect((await find(ingestDatasetJob.name, ids.deferred))?.state).toBe("completed");
  });
});
