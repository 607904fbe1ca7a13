import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { updatePipeline } from "@/db/queries/pipelines";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { UserError } from "@/lib/errors";
import { registerUrlDataset } from "@/lib/ingest/register";
import { defaultDelivery } from "@/lib/pipeline/deliveries";
import { requestRun } from "@/lib/pipeline/runs";
import { createDestination } from "@/lib/slack/destinations";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { startCsvHost } from "./helpers/csv-host";
import { waitFor } from "./helpers/processes";
import { startWorker, type WorkerHandle } from "./helpers/workers";

/** Three worker processes share 60 runs of 20 pipelines through Postgres. */
const PIPELINES = 20;
const RUNS_EACH = 3;

let host: Awaited<ReturnType<typeof startCsvHost>>;
let sink: SlackSink;
const workers: WorkerHandle[] = [];

beforeAll(async () => {
  host = await startCsvHost();
  sink = await startSlackSink();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port},127.0.0.1:${sink.port}`;
  resetEnvForTests();
  const env = {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATA_DIR: process.env.DATA_DIR!,
    OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS,
    LOG_LEVEL: "warn",
  };
  const started = await Promise.all([
    startWorker({ ...env, LOG_LEVEL: "info" }),
    startWorker({ ...env, LOG_LEVEL: "info" }),
    startWorker({ ...env, LOG_LEVEL: "info" }),
  ]);
  workers.push(...started);
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await host.close();
  await sink.close();
  await closeDb();
}, 60_000);

describe("scale-out", () => {
  it(`3 workers complete ${PIPELINES * RUNS_EACH} runs of ${PIPELINES} pipelines exactly once, never two at a time per pipeline`, async () => {
    const actor = await createUser({ email: "scale@example.com", password: "long enough pw", role: "editor" });
    const pipelineIds: string[] = [];
    for (let i = 0; i < PIPELINES; i++) {
      // One webhook per pipeline, so Slack pacing (1/s per webhook) does not serialise the test.
      const dest = await createDestination({ webhookUrl: sink.webhookUrl(`/services/TS/B${i}/scale${i}`), name: `scale ${i}` }, actor);
      host.files.set(`/scale_${i}.csv`, { body: `id,value\n${Array.from({ length: 50 }, (_, r) => `${r},${i * 1000 + r}`).join("\n")}\n` });
      const { run, dataset } = await registerUrlDataset({ name: `scale_${i}`, csvUrl: host.url(`/scale_${i}.csv`) }, actor);
      await updatePipeline(run.pipelineId, { deliveries: [{ ...defaultDelivery(dataset.name), destinationId: dest.id }] });
      pipelineIds.push(run.pipelineId);
    }
    const accepted = new Map(pipelineIds.map((id) => [id, 1]));
    const deadline = Date.now() + 240_000;
    while ([...accepted.values()].some((n) => n < RUNS_EACH) && Date.now() < deadline) {
      for (const id of pipelineIds) {
        if (accepted.get(id)! >= RUNS_EACH) continue;
        try {
          await requestRun(id, { trigger: "api", force: true, actor });
          accepted.set(id, accepted.get(id)! + 1);
        } catch (err) {
          if (!(err instanceof UserError) || err.status !== 409) throw err;
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...accepted.values()].every((n) => n === RUNS_EACH)).toBe(true);

    const all = await waitFor(
      async () => {
        const runs =
          await getSql()`select id, pipeline_id, status, started_at, finished_at from relayboard.runs where pipeline_id = any(${pipelineIds}::uuid[])`;
        return runs.length === PIPELINES * RUNS_EACH && runs.every((r) => ["succeeded", "failed", "cancelled"].includes(r.status as string))
          ? runs
          : null;
      },
      240_000,
      "all runs to finish",
    );
    expect(all.filter((r) => r.status === "succeeded")).toHaveLength(PIPELINES * RUNS_EACH);

    // No overlap within a pipeline.
    for (const id of pipelineIds) {
      const runs = all.filter((r) => r.pipeline_id === id).sort((a, b) => +new Date(a.started_at) - +new Date(b.started_at));
      for (let i = 1; i < runs.length; i++)
        expect(+new Date(runs[i]!.started_at)).toBeGreaterThanOrEqual(+new Date(runs[i - 1]!.finished_at));
    }
    // Every step ran exactly once, and every run posted exactly one message.
    const [{ retried }] =
      await getSql()`select count(*)::int as retried from relayboard.run_steps where run_id = any(${all.map((r) => r.id as string)}::uuid[]) and attempt <> 1 and status <> 'skipped'`;
    expect(retried).toBe(0);
    for (const run of all) expect(sink.messages.filter((m) => JSON.stringify(m.body).includes(run.id as string))).toHaveLength(1);
    // The work really was shared.
    const [{ workers: used }] =
      await getSql()`select count(distinct worker_id)::int as workers from relayboard.run_steps where run_id = any(${all.map((r) => r.id as string)}::uuid[])`;
    expect(used).toBe(3);
  }, 420_000);
});
