import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { getDatasetById, getDatasetLoad, listDatasetVersions } from "@/db/queries/datasets";
import { listRunSteps } from "@/db/queries/pipelines";
import { createUser } from "@/lib/auth/users";
import { resetEnvForTests } from "@/lib/env";
import { runHealthChecks } from "@/lib/health";
import { registerUrlDataset } from "@/lib/ingest/register";
import { requestRun } from "@/lib/pipeline/runs";
import { RETRY_DELAYS_MS } from "@/lib/pipeline/step-runner";
import { createDestination } from "@/lib/slack/destinations";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { resetObjectStoreForTests } from "@/lib/storage";
import { startCsvHost } from "./helpers/csv-host";
import { numberedCsv } from "./helpers/csv-data";
import { waitFor } from "./helpers/processes";
import { messagesFor, rowCount, runEnded, unfinishedWork } from "./helpers/run-state";
import { startS3WithOutages, type S3Outage } from "./helpers/s3-outage";
import { startWorker, type WorkerHandle } from "./helpers/workers";

/**
 * Object storage (a real S3 server, s3rver) goes down while a run fetches: the fetch is tried
 * again with growing pauses, then fails saying storage is unreachable, with no new version and
 * the previous tables whole; /health names storage; once storage is back a rerun succeeds.
 */
let s3: S3Outage;
let host: Awaited<ReturnType<typeof startCsvHost>>;
let sink: SlackSink;
let worker: WorkerHandle;
let actor: { id: string };

beforeAll(async () => {
  s3 = await startS3WithOutages("relayboard-faults");
  host = await startCsvHost();
  sink = await startSlackSink();
  // The test process checks health against the same storage the worker uses.
  Object.assign(process.env, s3.env, { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${host.port},127.0.0.1:${sink.port}` });
  resetEnvForTests();
  resetObjectStoreForTests();
  actor = await createUser({ email: "storage-faults@example.com", password: "long enough pw", role: "editor" });
  await createDestination({ webhookUrl: sink.webhookUrl("/services/TS/BS/storage"), name: "storage sink" }, actor);
  worker = await startWorker({
    DATABASE_URL: process.env.DATABASE_URL!,
    DATA_DIR: process.env.DATA_DIR!,
    OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS,
    ...s3.env,
  });
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  if (process.env.FAULTS_VERBOSE) console.log(worker?.output());
  await host?.close();
  await sink?.close();
  await s3?.close();
  for (const key of Object.keys(s3?.env ?? {})) delete process.env[key];
  resetObjectStoreForTests();
  await closeDb();
}, 60_000);

describe("object storage is unavailable during a fetch", () => {
  it("retries with backoff, fails naming storage, adds no version; /health says storage is down; a rerun succeeds once it is back", async () => {
    host.files.set("/storage_fault.csv", { body: numberedCsv(100, "a") });
    const { run: first, dataset } = await registerUrlDataset({ name: "storage_fault", csvUrl: host.url("/storage_fault.csv") }, actor);
    expect((await runEnded(first.id, 60_000)).status).toBe("succeeded");
    expect(await listDatasetVersions(dataset.id)).toHaveLength(1);

    await s3.stop();
    const down = await runHealthChecks();
    expect(down.status).toBe("error");
    expect(down.checks).toMatchObject({ database: "ok", queue: "ok" });
    expect(down.checks.storage).toMatch(/unreachable|timed out/);

    host.files.set("/storage_fault.csv", { body: numberedCsv(150, "b") });
    const fetchesBefore = host.requests.filter((r) => r === "/storage_fault.csv").length;
    const failedRun = await requestRun(first.pipelineId, { trigger: "manual", actor, force: true });
    const failed = await runEnded(failedRun.id, 60_000);
    expect(failed.status, worker.output().slice(-5000)).toBe("failed");
    expect(failed.error).toMatchObject({ step: "fetch" });
    expect(failed.error!.message).toMatch(/^Object storage is unreachable: .*ECONNREFUSED.*\(gave up after 4 tries\)$/);

    // Tried four times, with the pauses between (1 s, 2 s, 4 s) in the step's log and its duration.
    const fetch = (await listRunSteps(failed.id)).find((s) => s.name === "fetch")!;
    expect(fetch.attempt).toBe(1);
    expect(fetch.log.filter((l) => /trying again in \d+ s/.test(l.message)).map((l) => l.message.match(/in (\d+) s/)![1])).toEqual([
      "1",
      "2",
      "4",
    ]);
    const pauses = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(fetch.finishedAt!.getTime() - fetch.startedAt!.getTime()).toBeGreaterThanOrEqual(pauses);
    expect(host.requests.filter((r) => r === "/storage_fault.csv").length - fetchesBefore).toBe(RETRY_DELAYS_MS.length + 1);

    // Nothing half-done: no new version, the load says why, the tables hold the first file.
    expect(await listDatasetVersions(dataset.id)).toHaveLength(1);
    const load = await getDatasetLoad(failed.loadId!);
    expect(load).toMatchObject({ status: "failed", versionId: null, error: { code: "storage" } });
    expect(await rowCount(`staging."storage_fault"`)).toEqual({ rows: 100, distinctLines: 100 });
    expect(await rowCount(`warehouse."storage_fault"`)).toEqual({ rows: 100, distinctLines: 100 });
    expect((await getDatasetById(dataset.id))!.rowCount).toBe(100);
    expect(await unfinishedWork()).toEqual({ runs: 0, steps: 0 });
    expect(messagesFor(sink, failed.id)).toBe(0);
    expect(worker.child.exitCode).toBeNull();

    await s3.start();
    const healthy = await waitFor(
      async () => {
        const report = await runHealthChecks();
        return report.status === "ok" ? report : null;
      },
      20_000,
      "/health to report storage ok again",
    );
    expect(healthy.checks).toEqual({ database: "ok", storage: "ok", queue: "ok" });

    const rerun = await requestRun(first.pipelineId, { trigger: "manual", actor, force: true });
    expect((await runEnded(rerun.id, 60_000)).status).toBe("succeeded");
    expect(await listDatasetVersions(dataset.id)).toHaveLength(2);
    expect(await rowCount(`staging."storage_fault"`)).toEqual({ rows: 150, distinctLines: 150 });
    expect(await rowCount(`warehouse."storage_fault"`)).toEqual({ rows: 150, distinctLines: 150 });
    expect(messagesFor(sink, rerun.id)).toBe(1);
    expect(await unfinishedWork()).toEqual({ runs: 0, steps: 0 });
  }, 150_000);
});
