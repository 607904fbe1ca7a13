import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { getRunById, listRunSteps, getDefaultPipelineForDataset } from "@/db/queries/pipelines";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { requestRun } from "@/lib/pipeline/runs";
import { createPipeline } from "@/lib/pipeline/pipelines";
import { createDestination } from "@/lib/slack/destinations";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { saveModel } from "@/lib/transform/models";
import { startCsvHost } from "./helpers/csv-host";
import { waitFor } from "./helpers/processes";
import { startWorker, type WorkerHandle } from "./helpers/workers";

/**
 * A worker killed with SIGKILL at the worst moments: the run still completes exactly once, on
 * another worker, within two minutes, with the right row count and one Slack message.
 */
let host: Awaited<ReturnType<typeof startCsvHost>>;
let sink: SlackSink;
let actor: { id: string };
let destinationId: string;
let env: Record<string, string>;
const live: WorkerHandle[] = [];

beforeAll(async () => {
  host = await startCsvHost();
  sink = await startSlackSink();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port},127.0.0.1:${sink.port}`;
  resetEnvForTests();
  env = {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATA_DIR: process.env.DATA_DIR!,
    OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS,
  };
  actor = await createUser({ email: "crash@example.com", password: "long enough pw", role: "editor" });
  destinationId = (await createDestination({ webhookUrl: sink.webhookUrl("/services/T8/B8/crash"), name: "crash sink" }, actor)).id;
}, 60_000);

afterAll(async () => {
  await Promise.all(live.map((w) => w.stop()));
  await host.close();
  await sink.close();
  await closeDb();
}, 60_000);

function csv(rows: number): string {
  const lines = ["id,label"];
  for (let i = 1; i <= rows; i++) lines.push(`${i},row-${i}`);
  return lines.join("\n") + "\n";
}

async function worker(): Promise<WorkerHandle> {
  const w = await startWorker(env);
  live.push(w);
  return w;
}

async function expectCompletesOnce(runId: string, table: string, rows: number) {
  const killedAt = Date.now();
  const run = await waitFor(
    async () => {
      const r = await getRunById(runId);
      return r && ["succeeded", "failed", "cancelled"].includes(r.status) ? r : null;
    },
    120_000,
    "the run to finish on the second worker",
  );
  expect(run.status).toBe("succeeded");
  expect(Date.now() - killedAt).toBeLessThan(120_000);
  const [{ n }] = await getSql().unsafe(`select count(*)::int as n from staging."${table}"`);
  expect(n).toBe(rows);
  const messages = sink.messages.filter((m) => JSON.stringify(m.body).includes(runId));
  expect(messages).toHaveLength(1);
  const steps = await listRunSteps(runId);
  expect(steps.every((s) => s.status === "succeeded")).toBe(true);
  return steps;
}

describe("SIGKILL", () => {
  it("during the load", async () => {
    const first = await worker();
    host.files.set("/crash_load.csv", { body: csv(20_000), slowMs: 6000 });
    const { run } = await registerUrlDataset({ name: "crash_load", csvUrl: host.url("/crash_load.csv") }, actor);
    await waitFor(async () => (await listRunSteps(run.id)).find((s) => s.name === "fetch")?.status === "running", 30_000, "fetch to start");
    await new Promise((r) => setTimeout(r, 1500));
    await first.kill();
    await worker();
    const steps = await expectCompletesOnce(run.id, "crash_load", 20_000);
    expect(steps.find((s) => s.name === "fetch")!.attempt).toBe(2);
  }, 180_000);

  it("during a model build", async () => {
    host.files.set("/crash_model.csv", { body: csv(200) });
    const { run, dataset } = await registerUrlDataset({ name: "crash_model", csvUrl: host.url("/crash_model.csv") }, actor);
    await waitFor(async () => (await getRunById(run.id))?.status === "succeeded", 60_000, "the first run");
    await saveModel(
      {
        name: "crash_model_slow",
        materialization: "table",
        sql: "select id, pg_sleep(0.03) is null as slept from {{ ref('crash_model') }}",
      },
      actor,
    );
    const pipeline = (await getDefaultPipelineForDataset(dataset.id))!;
    const second = await requestRun(pipeline.id, { trigger: "manual", actor, force: true });
    await waitFor(
      async () => (await listRunSteps(second.id)).find((s) => s.name === "transform")?.status === "running",
      60_000,
      "transform to start",
    );
    await new Promise((r) => setTimeout(r, 1500));
    for (const w of live.splice(0)) await w.kill();
    await worker();
    const steps = await expectCompletesOnce(second.id, "crash_model", 200);
    expect(steps.find((s) => s.name === "transform")!.attempt).toBe(2);
    const [{ n }] = await getSql()`select count(*)::int as n from warehouse.crash_model_slow`;
    expect(n).toBe(200);
  }, 180_000);

  it("right after a delivery was recorded", async () => {
    host.files.set("/crash_deliver.csv", { body: csv(30) });
    const { run } = await registerUrlDataset({ name: "crash_deliver", csvUrl: host.url("/crash_deliver.csv") }, actor);
    await waitFor(
      async () => (await getSql()`select 1 from relayboard.deliveries where run_id = ${run.id} and status = 'sent'`).length > 0,
      60_000,
      "the delivery to be recorded",
    );
    for (const w of live.splice(0)) await w.kill();
    const deliverStep = (await listRunSteps(run.id)).find((s) => s.name === "deliver")!;
    await worker();
    await expectCompletesOnce(run.id, "crash_deliver", 30);
    // Either the step had already finished, or a second worker resumed it without posting again.
    expect(deliverStep.status === "succeeded" || (await listRunSteps(run.id)).find((s) => s.name === "deliver")!.attempt >= 1).toBe(true);
  }, 180_000);

  it("between computing a digest and posting it", async () => {
    if (live.length === 0) await worker();
    const rows = (changes: string[]) =>
      ["id,label", ...Array.from({ length: 30 }, (_, i) => `${i + 1},row-${i + 1}`), ...changes].join("\n") + "\n";
    host.files.set("/crash_digest.csv", { body: rows([]) });
    const { run: load, dataset } = await registerUrlDataset({ name: "crash_digest", csvUrl: host.url("/crash_digest.csv") }, actor);
    await waitFor(async () => (await getRunById(load.id))?.status === "succeeded", 60_000, "the first load");
    const pipeline = await createPipeline(
      {
        name: "crash digest",
        datasetId: dataset.id,
        deliveries: [
          { destinationId, template: { text: "crash digest", table: { model: "crash_digest" } }, digest: { key: ["id"], mode: "digest" } },
        ],
      },
      actor,
    );
    const baseline = await requestRun(pipeline.id, { trigger: "manual", actor, force: true });
    await waitFor(async () => (await getRunById(baseline.id))?.status === "succeeded", 60_000, "the baseline run");

    host.files.set("/crash_digest.csv", { body: rows(["31,row-31", "32,row-32"]) });
    // Slack asks the worker to wait: the digest is computed and recorded, nothing is accepted yet.
    sink.script([{ status: 429, retryAfter: 60 }]);
    const before = sink.requests();
    const changed = await requestRun(pipeline.id, { trigger: "manual", actor, force: true });
    await waitFor(
      async () =>
        sink.requests() > before && (await getSql()`select 1 from relayboard.delivery_digests where run_id = ${changed.id}`).length > 0,
      60_000,
      "the digest to be recorded and its post refused",
    );
    for (const w of live.splice(0)) await w.kill();
    await worker();
    await expectCompletesOnce(changed.id, "crash_digest", 32);
    const [message] = sink.messages.filter((m) => JSON.stringify(m.body).includes(changed.id));
    expect(JSON.stringify(message!.body)).toContain("2 added · 0 changed · 0 removed");

    // Delivered means delivered: the same rows are not sent again, the next change alone is.
    const same = await requestRun(pipeline.id, { trigger: "manual", actor, force: true });
    await waitFor(async () => (await getRunById(same.id))?.status === "succeeded", 60_000, "the unchanged run");
    expect(sink.messages.filter((m) => JSON.stringify(m.body).includes(same.id))).toHaveLength(0);
    host.files.set("/crash_digest.csv", { body: rows(["31,row-31", "32,row-32 changed"]) });
    const next = await requestRun(pipeline.id, { trigger: "manual", actor, force: true });
    await waitFor(async () => (await getRunById(next.id))?.status === "succeeded", 60_000, "the next change");
    const after = sink.messages.filter((m) => JSON.stringify(m.body).includes(next.id));
    expect(after).toHaveLength(1);
    expect(JSON.stringify(after[0]!.body)).toContain("0 added · 1 changed · 0 removed");
  }, 240_000);
});
