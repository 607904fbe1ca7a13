import crypto from "node:crypto";
import fs from "node:fs";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { ensureEmbeddedPostgres, type EmbeddedHandle } from "@/db/embedded";
import { migrateDatabase } from "@/lib/database/migrate";
import { getDatasetById, getDatasetLoad, listDatasetVersions } from "@/db/queries/datasets";
import { listRunSteps } from "@/db/queries/pipelines";
import type { Run, RunStep, StepName } from "@/db/schema/pipelines";
import { ensureQueues } from "@/lib/queue/ensure-queues";
import { createUser } from "@/lib/auth/users";
import { resetEnvForTests } from "@/lib/env";
import { registerUrlDataset } from "@/lib/ingest/register";
import { requestRun } from "@/lib/pipeline/runs";
import { createDestination } from "@/lib/slack/destinations";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { saveModel } from "@/lib/transform/models";
import { startCsvHost } from "./helpers/csv-host";
import { numberedCsv } from "./helpers/csv-data";
import { REPO_ROOT, waitFor } from "./helpers/processes";
import { leftoverScratchTables, messagesFor, rowCount, runEnded, unfinishedWork } from "./helpers/run-state";
import { superviseWorker, type Supervisor } from "./helpers/supervisor";

/**
 * PostgreSQL restarted under a running pipeline: mid-load and mid-model-build. The machine's
 * server is never touched: this file runs a private embedded server (127.0.0.1 only, its own
 * port and data directory under .test-data/) with a real worker against it, kept running by a
 * supervisor as compose or systemd would.
 */
const dataDir = path.join(REPO_ROOT, ".test-data", `faults-pg-${crypto.randomBytes(4).toString("hex")}`);
let server: EmbeddedHandle;
let port: number;
let host: Awaited<ReturnType<typeof startCsvHost>>;
let sink: SlackSink;
let supervisor: Supervisor;
let actor: { id: string };

/** Fast shutdown (every session is terminated), a moment down, then up again on the same port. */
async function restartPostgres(downMs = 1500): Promise<void> {
  await server.stop();
  await sleep(downMs);
  server = await ensureEmbeddedPostgres(dataDir, { port });
}

async function step(runId: string, name: StepName): Promise<RunStep> {
  return (await listRunSteps(runId)).find((s) => s.name === name)!;
}

/** What the step went through, for the test's output: tried again in place, or handed on. */
function history(s: RunStep): string {
  const retries = s.log.filter((line) => /trying again/.test(line.message)).length;
  return `${s.name}: attempt ${s.attempt}, ${retries} retries in place`;
}

async function expectNothingLeftRunning(run: Run) {
  expect(await unfinishedWork()).toEqual({ runs: 0, steps: 0 });
  expect(await leftoverScratchTables()).toEqual([]);
  // One summary per run that got as far as delivering; none for a run that failed before it.
  expect(messagesFor(sink, run.id)).toBe(run.status === "succeeded" ? 1 : 0);
}

async function modelRows(): Promise<number> {
  const [row] = await getSql()`select count(*)::int as n from warehouse.restart_model_slow`;
  return row!.n as number;
}

/** A run that never ends fails the test with the workers' logs, which say why. */
async function ended(runId: string, timeoutMs: number): Promise<Run> {
  try {
    return await runEnded(runId, timeoutMs);
  } catch (err) {
    const jobs = await getSql()`select name, state, count(*)::int as n from pgboss.job group by 1, 2`.catch((e) => String(e));
    const steps = await getSql()`select run_id, name, status, attempt from relayboard.run_steps order by run_id, position`.catch((e) =>
      String(e),
    );
    throw new Error(`${(err as Error).message}\n${JSON.stringify({ jobs, steps })}\n${supervisor.output().slice(-20_000)}`);
  }
}

function explain(run: Run): string {
  return `run ${run.status}: ${JSON.stringify(run.error)}; worker exits: ${supervisor.exits.join(", ") || "none"}`;
}

/** A port the OS just handed out, rather than the embedded default (54329) other runs may be using. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port: free } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return free;
}

beforeAll(async () => {
  fs.mkdirSync(dataDir, { recursive: true });
  port = await freePort();
  server = await ensureEmbeddedPostgres(dataDir, { port });
  await migrateDatabase(server.url, { withBoss: ensureQueues });
  host = await startCsvHost();
  sink = await startSlackSink();
  // This file's own clients talk to the embedded server, not the per-file database of the setup.
  await closeDb();
  process.env.DATABASE_URL = server.url;
  process.env.DATA_DIR = dataDir;
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port},127.0.0.1:${sink.port}`;
  resetEnvForTests();
  actor = await createUser({ email: "pg-restart@example.com", password: "long enough pw", role: "editor" });
  await createDestination({ webhookUrl: sink.webhookUrl("/services/TP/BP/pg"), name: "pg sink" }, actor);
  supervisor = await superviseWorker(
    { DATABASE_URL: server.url, DATA_DIR: dataDir, OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS },
    { maxRestarts: 4 },
  );
}, 120_000);

afterAll(async () => {
  await supervisor?.stop();
  if (process.env.FAULTS_VERBOSE) console.log(supervisor?.output());
  await host?.close();
  await sink?.close();
  await closeDb();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("PostgreSQL restarts under a running pipeline", () => {
  it("during a load: the load is tried again and completes (or fails saying so); the previous tables stay whole", async () => {
    const SMALL = 2_000;
    const BIG = 200_000;
    host.files.set("/restart_load.csv", { body: numberedCsv(SMALL, "a") });
    const { run: first, dataset } = await registerUrlDataset({ name: "restart_load", csvUrl: host.url("/restart_load.csv") }, actor);
    expect((await ended(first.id, 60_000)).status).toBe("succeeded");
    const firstVersion = (await getDatasetById(dataset.id))!.currentVersionId;

    // Served over five seconds, so the restart lands while rows are being copied, whether that
    // happens as the file arrives (fetch step) or from storage afterwards (load step).
    host.files.set("/restart_load.csv", { body: numberedCsv(BIG, "b"), slowMs: 5000 });
    const second = await requestRun(first.pipelineId, { trigger: "manual", actor, force: true });
    const loading = await waitFor(
      async () => {
        const steps = await listRunSteps(second.id);
        const running = (name: StepName) => steps.some((s) => s.name === name && s.status === "running");
        const rows = (await getDatasetLoad(second.loadId!))?.rowsLoaded ?? 0;
        if (running("load")) return "load";
        return running("fetch") && rows > 0 && rows < BIG ? "fetch" : null;
      },
      60_000,
      "rows to be copying into staging",
    );
    const restartedAt = new Date();
    await restartPostgres();

    const run = await ended(second.id, 75_000);
    const interrupted = await step(run.id, loading);
    // The restart landed inside the step: it finished (or was handed on) only afterwards.
    expect(interrupted.attempt > 1 || interrupted.finishedAt! > restartedAt, explain(run)).toBe(true);
    console.log(`restart during the load (${history(interrupted)}): ${explain(run)}`);
    expect(["succeeded", "failed"], explain(run)).toContain(run.status);
    if (run.status === "failed") expect(run.error?.message).toMatch(/database/i);
    const expected = run.status === "succeeded" ? BIG : SMALL;
    expect(await rowCount(`staging."restart_load"`)).toEqual({ rows: expected, distinctLines: expected });
    expect(await rowCount(`warehouse."restart_load"`)).toEqual({ rows: expected, distinctLines: expected });
    const versions = await listDatasetVersions(dataset.id);
    expect(versions).toHaveLength(2);
    const current = (await getDatasetById(dataset.id))!;
    expect(current.currentVersionId).toBe(run.status === "succeeded" ? (await getDatasetLoad(run.loadId!))!.versionId : firstVersion);
    expect(current.rowCount).toBe(expected);
    await expectNothingLeftRunning(run);
  }, 150_000);

  it("during a model build: the build is tried again and completes (or fails saying so); the previous model table stays whole", async () => {
    host.files.set("/restart_model.csv", { body: numberedCsv(200, "m") });
    const { run: first, dataset } = await registerUrlDataset({ name: "restart_model", csvUrl: host.url("/restart_model.csv") }, actor);
    expect((await ended(first.id, 60_000)).status).toBe("succeeded");
    // About 20 ms per row: the build takes seconds, so the restart lands inside it.
    await saveModel(
      {
        name: "restart_model_slow",
        materialization: "table",
        sql: "select id, label, pg_sleep(0.02) is null as slept from {{ ref('restart_model') }}",
      },
      actor,
    );
    const built = await requestRun(first.pipelineId, { trigger: "manual", actor, force: true });
    expect((await ended(built.id, 60_000)).status).toBe("succeeded");
    expect(await modelRows()).toBe(200);

    host.files.set("/restart_model.csv", { body: numberedCsv(250, "n") });
    const third = await requestRun(first.pipelineId, { trigger: "manual", actor, force: true });
    await waitFor(async () => (await step(third.id, "transform")).status === "running", 60_000, "the model build to start");
    await sleep(1000);
    const restartedAt = new Date();
    await restartPostgres();

    const run = await ended(third.id, 75_000);
    const transform = await step(run.id, "transform");
    expect(transform.attempt > 1 || transform.finishedAt! > restartedAt, explain(run)).toBe(true);
    console.log(`restart during a model build (${history(transform)}): ${explain(run)}`);
    expect(["succeeded", "failed"], explain(run)).toContain(run.status);
    // A build cut off by the restart names it (in the message, or as the failed model's detail).
    if (run.status === "failed") expect(`${run.error?.message} ${run.error?.detail}`).toMatch(/database|connection|terminat/i);
    // The new rows are loaded either way (the load finished before the restart).
    expect((await rowCount(`staging."restart_model"`)).rows).toBe(250);
    expect(await modelRows()).toBe(run.status === "succeeded" ? 250 : 200);
    expect((await getDatasetById(dataset.id))!.rowCount).toBe(250);
    await expectNothingLeftRunning(run);
    // Whatever happened to the worker, one is running again.
    expect((await supervisor.current()).child.exitCode).toBeNull();
  }, 150_000);
});
