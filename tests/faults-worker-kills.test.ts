import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { updatePipeline } from "@/db/queries/pipelines";
import { createUser } from "@/lib/auth/users";
import { getLogger } from "@/lib/log";
import { reapOrphanedSteps } from "@/lib/pipeline/reaper";
import { getBoss } from "@/lib/queue/boss";
import { resetEnvForTests } from "@/lib/env";
import { registerUrlDataset } from "@/lib/ingest/register";
import { defaultDelivery } from "@/lib/pipeline/deliveries";
import { createDestination } from "@/lib/slack/destinations";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { startCsvHost } from "./helpers/csv-host";
import { waitFor } from "./helpers/processes";
import { messagesFor, rowCount, unfinishedWork } from "./helpers/run-state";
import { superviseWorker, type Supervisor } from "./helpers/supervisor";

/**
 * The worker is SIGKILLed every one to two seconds, and restarted by a supervisor each time, while
 * 20 runs are in flight: every run still succeeds exactly once, with one Slack message each and
 * no row loaded twice (the datasets append, so a load applied twice would show).
 */
const RUNS = 20;
const ROWS = 300;
// How long each worker lives once ready before it is killed: bounded, and varied so the kills
// land in different steps.
const LIFETIMES_MS = [1200, 1800, 1000, 1500, 2000, 1300, 1700, 1100];

let host: Awaited<ReturnType<typeof startCsvHost>>;
let sink: SlackSink;
let supervisor: Supervisor | undefined;

beforeAll(async () => {
  host = await startCsvHost();
  sink = await startSlackSink();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port},127.0.0.1:${sink.port}`;
  resetEnvForTests();
}, 60_000);

afterAll(async () => {
  await supervisor?.stop();
  if (process.env.FAULTS_VERBOSE) console.log(supervisor?.output());
  await host.close();
  await sink.close();
  await closeDb();
}, 60_000);

describe("a step whose job was lost", () => {
  it("is enqueued again when a worker took its job and died before claiming it, and not while its job still waits", async () => {
    const actor = await createUser({ email: "orphans@example.com", password: "long enough pw", role: "editor" });
    host.files.set("/orphan.csv", { body: "id\n1\n2\n" });
    const { run } = await registerUrlDataset({ name: "orphan", csvUrl: host.url("/orphan.csv") }, actor);
    // No message from this run, so the next test can count every message the sink gets.
    await updatePipeline(run.pipelineId, { deliveries: [] });
    const log = getLogger().child({ test: "orphans" });
    const fetchJobs = () =>
      getSql()`select id, state from pgboss.job where name = 'run.step' and data->>'runId' = ${run.id} and data->>'step' = 'fetch'`;
    const age = () => getSql()`update relayboard.runs set started_at = now() - interval '1 minute' where id = ${run.id}`;

    // Its job waits in the queue (no worker yet), however long: left alone.
    await age();
    expect(await reapOrphanedSteps(log)).toBe(0);

    // A worker takes the job (pg-boss marks it active) and dies before claiming the step.
    const [taken] = await (await getBoss()).fetch("run.step");
    expect(taken?.data).toEqual({ runId: run.id, step: "fetch" });
    expect(await reapOrphanedSteps(log)).toBe(0); // a live worker claims within milliseconds
    await getSql()`update pgboss.job set started_on = now() - interval '1 minute' where name = 'run.step' and id = ${taken!.id}`;
    expect(await reapOrphanedSteps(log)).toBe(1);
    expect((await fetchJobs()).map((j) => j.state).sort()).toEqual(["active", "created"]);
    // Stamped: neither this reaper nor another one running now enqueues it twice.
    expect(await reapOrphanedSteps(log)).toBe(0);
    // The new job is run by the workers of the next test (the run has no message to send).
  });
});

describe("a worker killed and restarted over and over", () => {
  it(`completes ${RUNS} runs in flight exactly once each`, async () => {
    const actor = await createUser({ email: "kills@example.com", password: "long enough pw", role: "editor" });
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      // One webhook per pipeline, so Slack pacing (one post a second per webhook) does not queue them.
      const destination = await createDestination({ webhookUrl: sink.webhookUrl(`/services/TK/B${i}/kill${i}`), name: `kill ${i}` }, actor);
      const body = ["id,value", ...Array.from({ length: ROWS }, (_, r) => `${r},${i * 10_000 + r}`)].join("\n") + "\n";
      host.files.set(`/kill_${i}.csv`, { body, slowMs: 300 });
      const { run, dataset } = await registerUrlDataset(
        { name: `kill_${i}`, csvUrl: host.url(`/kill_${i}.csv`), options: { loadMode: "append" } },
        actor,
      );
      await updatePipeline(run.pipelineId, { deliveries: [{ ...defaultDelivery(dataset.name), destinationId: destination.id }] });
      runIds.push(run.id);
    }
    const statuses = async () =>
      (await getSql()`select status, count(*)::int as n from relayboard.runs where id = any(${runIds}::uuid[]) group by status`).reduce<
        Record<string, number>
      >((acc, row) => ({ ...acc, [row.status as string]: row.n as number }), {});
    // All 20 are running (queued for a worker) before the first worker starts.
    expect(await statuses()).toEqual({ running: RUNS });

    const env = {
      DATABASE_URL: process.env.DATABASE_URL!,
      DATA_DIR: process.env.DATA_DIR!,
      OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS,
    };
    supervisor = await superviseWorker(env, { maxRestarts: LIFETIMES_MS.length + 2 });
    let kills = 0;
    for (const lifetime of LIFETIMES_MS) {
      const worker = await supervisor.current();
      await sleep(lifetime);
      if (((await statuses()).running ?? 0) === 0) break;
      await worker.kill();
      kills++;
    }

    const ended = await waitFor(
      async () => {
        const now = await statuses();
        return now.running || now.queued ? null : now;
      },
      90_000,
      "every run to end",
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await statuses())}\n${supervisor!.output().slice(-20_000)}`);
    });
    const failures =
      await getSql()`select r.id, r.error, s.name, s.attempt, s.log from relayboard.runs r join relayboard.run_steps s on s.run_id = r.id
      where r.id = any(${runIds}::uuid[]) and r.status <> 'succeeded' and s.status = 'failed'`;
    expect(ended, JSON.stringify(failures, null, 1)).toEqual({ succeeded: RUNS });
    // The kills really happened, and at least one landed inside a step (handed on to a new attempt).
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(supervisor.exits.filter((e) => e === "SIGKILL")).toHaveLength(kills);
    const [{ resumed }] =
      await getSql()`select count(*)::int as resumed from relayboard.run_steps where run_id = any(${runIds}::uuid[]) and attempt > 1`;
    expect(resumed).toBeGreaterThanOrEqual(1);

    // Exactly once: one message per run at the Slack stand-in (one per webhook), one sent delivery
    // per run, and every row loaded once.
    for (const runId of runIds) expect(messagesFor(sink, runId), `messages for run ${runId}`).toBe(1);
    expect(sink.messages).toHaveLength(RUNS);
    expect(new Set(sink.messages.map((m) => m.path)).size).toBe(RUNS);
    const deliveries = await getSql()`select run_id, status from relayboard.deliveries where run_id = any(${runIds}::uuid[])`;
    expect(deliveries).toHaveLength(RUNS);
    expect(deliveries.every((d) => d.status === "sent")).toBe(true);
    for (let i = 0; i < RUNS; i++) {
      expect(await rowCount(`staging."kill_${i}"`), `staging.kill_${i}`).toEqual({ rows: ROWS, distinctLines: ROWS });
      expect(await rowCount(`warehouse."kill_${i}"`), `warehouse.kill_${i}`).toEqual({ rows: ROWS, distinctLines: ROWS });
    }
    // Nothing left running anywhere: the same workers also finish the runs earlier tests of this
    // database left queued (the orphan above, uploads of other files), which may end a moment after ours.
    const leftover = await waitFor(
      async () => {
        const work = await unfinishedWork();
        return work.runs === 0 && work.steps === 0 ? work : null;
      },
      30_000,
      "the workers to finish every queued run",
    ).catch(() => unfinishedWork());
    expect(leftover).toEqual({ runs: 0, steps: 0 });
  }, 210_000);
});
