import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgBoss } from "pg-boss";
import { closeDb } from "@/db";
import { bossOptions } from "@/lib/queue/boss";
import { listLiveJobPayloads, listQueueBacklogs } from "@/lib/queue/boss-adapter";
import { ensureQueues } from "@/lib/queue/ensure-queues";
import { runStepJob } from "@/lib/queue/jobs";

/** lib/queue/boss-adapter.ts reads pg-boss's own tables: these run its queries against the installed pg-boss. */
let boss: PgBoss;

beforeAll(async () => {
  boss = new PgBoss(bossOptions(process.env.DATABASE_URL!, "web"));
  boss.on("error", () => {});
  await boss.start();
  await ensureQueues(boss);
});

afterAll(async () => {
  await boss.stop({ graceful: false, close: true });
  await closeDb();
});

const keyOf = (data: unknown) => `${(data as { runId: string }).runId}:${(data as { step: string }).step}`;

describe("pg-boss adapter", () => {
  it("reports waiting jobs per queue and which run.step jobs are still live, through created → active → completed", async () => {
    const payload = { runId: crypto.randomUUID(), step: "load" };
    const id = await boss.send(runStepJob.name, payload, { retryLimit: 0, expireInSeconds: 60 });
    expect(id).toBeTruthy();

    const backlog = (await listQueueBacklogs()).find((b) => b.queue === runStepJob.name);
    expect(backlog?.waiting).toBeGreaterThanOrEqual(1);
    expect(backlog?.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect((await listLiveJobPayloads(runStepJob.name, 30)).map(keyOf)).toContain(keyOf(payload));

    const [fetched] = (await boss.fetch(runStepJob.name)) ?? [];
    expect(fetched?.id).toBe(id);
    // Active: live while it started recently, no longer once the window is shorter than its age.
    expect((await listLiveJobPayloads(runStepJob.name, 30)).map(keyOf)).toContain(keyOf(payload));
    await new Promise((r) => setTimeout(r, 1100));
    expect((await listLiveJobPayloads(runStepJob.name, 1)).map(keyOf)).not.toContain(keyOf(payload));
    expect((await listQueueBacklogs()).find((b) => b.queue === runStepJob.name)?.waiting ?? 0).toBe((backlog?.waiting ?? 1) - 1);

    await boss.complete(runStepJob.name, id!);
    expect((await listLiveJobPayloads(runStepJob.name, 3600)).map(keyOf)).not.toContain(keyOf(payload));
  });
});
