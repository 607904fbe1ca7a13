import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { closeDb, getSql } from "@/db";
import { getRunById, listRunSteps, getDefaultPipelineForDataset } from "@/db/queries/pipelines";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { cancelRun, requestRun, retryRunFromFailedStep } from "@/lib/pipeline/runs";
import { fireDueSchedules } from "@/lib/pipeline/scheduler";
import { createDestination } from "@/lib/slack/destinations";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { saveModel } from "@/lib/transform/models";
import { getPipelineById, updatePipeline } from "@/db/queries/pipelines";
import { startCsvHost } from "./helpers/csv-host";
import { waitFor } from "./helpers/processes";
import { startWorker, type WorkerHandle } from "./helpers/workers";
import { createApiToken } from "@/lib/api/tokens";
import { datasetViewByName } from "@/lib/api/views";
import type { RunSummary } from "@/lib/pipeline/run-view";
import type { ModelTest } from "@/db/schema/models";
import type { AlertCondition } from "@/db/schema/pipelines";

let host: Awaited<ReturnType<typeof startCsvHost>>;
let sink: SlackSink;
let actor: Awaited<ReturnType<typeof createUser>>;
let workerEnv: Record<string, string>;
const workers: WorkerHandle[] = [];

beforeAll(async () => {
  host = await startCsvHost();
  sink = await startSlackSink();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port},127.0.0.1:${sink.port}`;
  resetEnvForTests();
  workerEnv = {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATA_DIR: process.env.DATA_DIR!,
    OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS,
  };
  actor = await createUser({ email: "piper@example.com", password: "long enough pw", role: "editor" });
  await createDestination({ webhookUrl: sink.webhookUrl("/services/T9/B9/pipeline"), name: "sink" }, actor);
  workers.push(await startWorker(workerEnv));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await host.close();
  await sink.close();
  await closeDb();
}, 60_000);

async function finished(runId: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const run = await getRunById(runId);
      return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? run : null;
    },
    timeoutMs,
    `run ${runId} to finish`,
  );
}

async function stepStates(runId: string) {
  return Object.fromEntries((await listRunSteps(runId)).map((s) => [s.name, s.status]));
}

const messagesOf = (runId: string) => sink.messages.filter((m) => JSON.stringify(m.body).includes(runId));

function csv(rows: number, tag = "a"): string {
  const lines = ["id,label,amount"];
  for (let i = 1; i <= rows; i++) lines.push(`${i},${tag}-${i},${(i * 1.25).toFixed(2)}`);
  return lines.join("\n") + "\n";
}

describe("a run from URL to Slack", () => {
  it("records every step and posts one message", async () => {
    host.files.set("/p_orders.csv", { body: csv(100) });
    const { run, dataset } = await registerUrlDataset({ name: "p_orders", csvUrl: host.url("/p_orders.csv") }, actor);
    const done = await finished(run.id);
    expect(done.status).toBe("succeeded");
    expect(done).toMatchObject({ outcome: "succeeded", warnings: [] });
    const steps = await listRunSteps(run.id);
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ["fetch", "succeeded"],
      ["load", "succeeded"],
      ["transform", "succeeded"],
      ["test", "succeeded"],
      ["deliver", "succeeded"],
    ]);
    expect(steps[1]!.counts.rows).toBe(100);
    expect(steps[4]!.counts.messages).toBe(1);
    for (const s of steps) expect(s.startedAt && s.finishedAt).toBeTruthy();
    const messages = sink.messages.filter((m) => JSON.stringify(m.body).includes(run.id));
    expect(messages).toHaveLength(1);
    expect(JSON.stringify(messages[0]!.body)).toContain("p_orders refreshed");
    const [{ n }] = await getSql()`select count(*)::int as n from staging.p_orders`;
    expect(n).toBe(100);
    expect((await getDefaultPipelineForDataset(dataset.id))?.name).toBe("p_orders");
  }, 90_000);

  it("skips downstream steps when the source is unchanged, unless forced", async () => {
    const pipeline = (await getSql()`select id from relayboard.pipelines where name = 'p_orders'`)[0]!.id as string;
    const before = sink.messages.length;
    const again = await finished((await requestRun(pipeline, { trigger: "manual", actor })).id);
    expect(again.status).toBe("succeeded");
    expect(await stepStates(again.id)).toEqual({
      fetch: "succeeded",
      load: "skipped",
      transform: "skipped",
      test: "skipped",
      deliver: "skipped",
    });
    const skipped = (await listRunSteps(again.id)).find((s) => s.name === "load")!;
    expect(skipped.skipReason).toMatch(/source unchanged/);
    expect(sink.messages.length).toBe(before);

    const forced = await finished((await requestRun(pipeline, { trigger: "manual", actor, force: true })).id);
    expect(await stepStates(forced.id)).toEqual({
      fetch: "succeeded",
      load: "succeeded",
      transform: "succeeded",
      test: "succeeded",
      deliver: "succeeded",
    });
    expect(sink.messages.length).toBe(before + 1);
  }, 90_000);
});

describe("a load with ragged rows", () => {
  it("pads short rows, skips nothing, and says so in the run, the API and the dataset", async () => {
    const body = "Monthly report\nSource: test host\n\nid,label,amount\n1,a,1.5\n2,b\n3\n4,d,NA\n";
    host.files.set("/p_ragged.csv", { body });
    const token = (await createApiToken(actor, { name: "ragged", role: "viewer" })).token;
    const { run } = await registerUrlDataset({ name: "p_ragged", csvUrl: host.url("/p_ragged.csv") }, actor);
    const done = await finished(run.id);
    expect(done.status).toBe("succeeded");
    const { GET } = await import("@/app/v1/runs/[id]/route");
    const response = await GET(new Request(`http://127.0.0.1/v1/runs/${run.id}`, { headers: { authorization: `Bearer ${token}` } }), {
      params: Promise.resolve({ id: run.id }),
    });
    const { run: view } = (await response.json()) as { run: RunSummary };
    const load = view.steps.find((s) => s.name === "load")!;
    expect(load).toMatchObject({ rows: 4, rowsPadded: 2, rowsSkipped: 0 });
    expect(load.warnings?.[0]).toMatch(/^2 rows had fewer fields than the header; .* \(first: line 6\)\.$/);
    expect(view.warnings).toEqual(load.warnings);
    expect(view.outcome).toBe("succeeded_with_warnings");
    const dataset = await datasetViewByName("p_ragged");
    expect(dataset?.dialect).toMatchObject({ encoding: "utf-8", delimiter: ",", headerLine: 4, header: true });
    expect(dataset?.columns.find((c) => c.name === "amount")).toMatchObject({
      type: "numeric",
      nullMarkers: expect.arrayContaining(["NA"]),
    });
    const rows = await getSql().unsafe(`select id::text, label, amount::text from warehouse.p_ragged order by _rb_line`);
    expect(rows.map((r) => [r.id, r.label, r.amount])).toEqual([
      ["1", "a", "1.5"],
      ["2", "b", null],
      ["3", null, null],
      ["4", "d", null],
    ]);
  });
});

describe("a second pipeline on the same dataset", () => {
  it("delivers once for a version it has not handled, then skips while the source is unchanged", async () => {
    const { createPipeline } = await import("@/lib/pipeline/pipelines");
    const dataset = (await getSql()`select id from relayboard.datasets where name = 'p_orders'`)[0]!.id as string;
    const digest = await createPipeline(
      {
        name: "p_orders digest",
        datasetId: dataset,
        deliveries: [{ destinationId: null, condition: "always", template: { text: "Digest of {{dataset.name}}" } }],
      },
      actor,
    );
    const first = await finished((await requestRun(digest.id, { trigger: "manual", actor })).id);
    expect(await stepStates(first.id)).toEqual({
      fetch: "succeeded",
      load: "succeeded",
      transform: "succeeded",
      test: "succeeded",
      deliver: "succeeded",
    });
    expect(sink.messages.filter((m) => JSON.stringify(m.body).includes(first.id))).toHaveLength(1);
    const second = await finished((await requestRun(digest.id, { trigger: "manual", actor })).id);
    expect((await stepStates(second.id)).deliver).toBe("skipped");
  }, 90_000);
});

describe("run outcomes", () => {
  /** A dataset whose label is missing on rows 3 and 7, its pipeline alerting to the sink, and a model over it. */
  async function outcomeFixture(name: string) {
    const lines = ["id,label,amount"];
    for (let i = 1; i <= 10; i++) lines.push(`${i},${i === 3 || i === 7 ? "" : `l-${i}`},${i}.5`);
    host.files.set(`/${name}.csv`, { body: lines.join("\n") + "\n" });
    const { run, dataset } = await registerUrlDataset({ name, csvUrl: host.url(`/${name}.csv`) }, actor);
    await finished(run.id);
    const pipeline = (await getDefaultPipelineForDataset(dataset.id))!;
    const [alerts] = await getSql()`select id from relayboard.destinations where name = 'sink'`;
    await updatePipeline(pipeline.id, { failureAlertDestinationId: alerts!.id as string });
    const model = `${name}_checked`;
    const runForced = async () => finished((await requestRun(pipeline.id, { trigger: "manual", actor, force: true })).id);
    const withTests = (tests: ModelTest[]) =>
      saveModel({ name: model, materialization: "table", sql: `select * from {{ ref('${name}') }}`, tests }, actor);
    return { pipeline, model, runForced, withTests };
  }

  it("a warn test delivers and ends succeeded_with_warnings, saying which test in the API", async () => {
    const { runForced, withTests, model } = await outcomeFixture("o_warn");
    await withTests([{ type: "not_null", column: "label", severity: "warn" }]);
    const run = await runForced();
    expect(run).toMatchObject({ status: "succeeded", outcome: "succeeded_with_warnings" });
    expect(run.warnings).toEqual([`${model}: not_null(label) warned (2 failing rows)`]);
    expect(await stepStates(run.id)).toMatchObject({ test: "succeeded", deliver: "succeeded" });
    const messages = messagesOf(run.id);
    expect(messages).toHaveLength(1);
    expect(JSON.stringify(messages[0]!.body)).toContain("o_warn refreshed");
    const token = (await createApiToken(actor, { name: "outcomes", role: "viewer" })).token;
    const { GET } = await import("@/app/v1/runs/[id]/route");
    const response = await GET(new Request(`http://127.0.0.1/v1/runs/${run.id}`, { headers: { authorization: `Bearer ${token}` } }), {
      params: Promise.resolve({ id: run.id }),
    });
    const { run: view } = (await response.json()) as { run: RunSummary };
    expect(view).toMatchObject({ status: "succeeded", outcome: "succeeded_with_warnings", warnings: run.warnings });
  }, 90_000);

  it("an error test fails the run, sends nothing and alerts with the failing rows; thresholds decide", async () => {
    const { runForced, withTests, model } = await outcomeFixture("o_error");
    await withTests([{ type: "not_null", column: "label" }]);
    const failed = await runForced();
    expect(failed).toMatchObject({ status: "failed", outcome: "failed", error: { step: "test" } });
    expect(failed.error?.message).toBe("1 data test failed; nothing was delivered");
    expect(await stepStates(failed.id)).toMatchObject({ test: "failed", deliver: "skipped" });
    const alert = await waitFor(async () => messagesOf(failed.id)[0] ?? null, 20_000, "the failure alert");
    expect(messagesOf(failed.id)).toHaveLength(1);
    const text = JSON.stringify(alert.body);
    expect(text).toContain("Pipeline o_error failed");
    expect(text).toContain("The *test* step failed");
    expect(text).toContain(`${model}: not_null(label) failed (2 failing rows)`);
    // The failing rows themselves, ids 3 and 7, in the alert's table; and the link to the run.
    expect(text).toContain("3.5");
    expect(text).toContain("7.5");
    expect(text).not.toContain("l-1");
    expect(text).toContain(`/runs/${failed.id}`);

    // Two failing rows are within error_if ">5": the same test only warns, and the message goes out.
    await withTests([{ type: "not_null", column: "label", error_if: ">5", warn_if: ">=2" }]);
    const warned = await runForced();
    expect(warned).toMatchObject({ status: "succeeded", outcome: "succeeded_with_warnings" });
    expect(messagesOf(warned.id)).toHaveLength(1);
    // At equality ">2" is not met: the test passes and the run is a plain success.
    await withTests([{ type: "not_null", column: "label", error_if: ">5", warn_if: ">2" }]);
    const passed = await runForced();
    expect(passed).toMatchObject({ outcome: "succeeded", warnings: [] });
  }, 120_000);

  it("a delivery whose condition is false sends nothing and the outcome says why", async () => {
    const { pipeline, runForced, model } = await outcomeFixture("o_empty");
    await saveModel({ name: model, materialization: "view", sql: `select * from {{ ref('o_empty') }} where amount > 1000` }, actor);
    await updatePipeline(pipeline.id, {
      deliveries: [{ destinationId: null, condition: "has_rows", template: { text: "Big orders", table: { model } } }],
    });
    const run = await runForced();
    expect(run).toMatchObject({ status: "succeeded", outcome: "succeeded_with_warnings" });
    expect(run.warnings).toEqual(["No message was sent: message 1: the condition is false: the result has 0 rows (wanted > 0)"]);
    expect(messagesOf(run.id)).toHaveLength(0);
    expect((await listRunSteps(run.id)).find((s) => s.name === "deliver")!.counts).toMatchObject({ messages: 0, messagesSkipped: 1 });
  }, 90_000);
});

describe("the message preview in the pipeline editor", () => {
  it("renders with the model's rows and the last run's values, and Send test posts exactly that once", async () => {
    const { previewDelivery, sendDeliveryTest } = await import("@/lib/pipeline/delivery-preview");
    const [row] = await getSql()`select d.id as dataset, p.id as pipeline from relayboard.datasets d
      join relayboard.pipelines p on p.dataset_id = d.id and p.is_default where d.name = 'p_orders'`;
    const input = {
      template: { text: 'Loaded *{{run.rows}}* rows in {{now | date: "yyyy"}}', table: { model: "p_orders", limit: 2 } },
      datasetId: row!.dataset as string,
      pipelineId: null,
      pipelineName: "draft",
      timeZone: "UTC",
    };
    const preview = await previewDelivery(input);
    // Not saved yet: the dataset's own pipeline's last successful run fills the values.
    const [last] = await getSql()`select id from relayboard.runs where pipeline_id = ${row!.pipeline as string}
      and status = 'succeeded' order by created_at desc limit 1`;
    expect(preview.from?.runId).toBe(last!.id);
    const text = JSON.stringify(preview.payload);
    expect(text).toContain("Loaded *100* rows in " + new Date().getUTCFullYear());
    expect(text).toContain("a-1");
    expect(text).not.toContain("a-3 ");
    await expect(previewDelivery({ ...input, template: { text: "{{run.nope}}" } })).rejects.toThrow(/Unknown variable/);

    const before = sink.messages.length;
    const [dest] = await getSql()`select id from relayboard.destinations where name = 'sink'`;
    const outcome = await sendDeliveryTest(input, dest!.id as string);
    expect(outcome.status).toBe("sent");
    expect(sink.messages.length).toBe(before + 1);
    expect(JSON.stringify(sink.messages.at(-1)!.body)).toBe(text);
  }, 60_000);
});

describe("delivery conditions", () => {
  it("each kind holds or not at its boundaries, on the model's result in SQL", async () => {
    const { evaluateCondition } = await import("@/lib/pipeline/alert-conditions");
    host.files.set("/c_vals.csv", { body: "id,amount\n1,10\n2,20\n3,30\n4,\n" });
    await finished((await registerUrlDataset({ name: "c_vals", csvUrl: host.url("/c_vals.csv") }, actor)).run.id);
    const holds = async (condition: AlertCondition, previous: number | null = null) =>
      (await evaluateCondition(condition, "c_vals", previous)).holds;
    // Row count: 4 rows; > is false at equality, >= true.
    expect(await holds({ kind: "rowCount", op: ">", value: 4 })).toBe(false);
    expect(await holds({ kind: "rowCount", op: ">=", value: 4 })).toBe(true);
    expect(await holds({ kind: "rowCount", op: "=", value: 0 })).toBe(false);
    expect(await holds({ kind: "rowCount", op: "!=", value: 0 })).toBe(true);
    // Any row / all rows: a NULL does not match (the row with no amount fails "every row").
    expect(await holds({ kind: "anyRow", where: "amount > 25" })).toBe(true);
    expect(await holds({ kind: "anyRow", where: "amount > 30" })).toBe(false);
    // A trailing comment in the user's SQL does not swallow the rest of the query.
    expect(await holds({ kind: "anyRow", where: "amount > 25 -- the big ones" })).toBe(true);
    expect(await holds({ kind: "allRows", where: "amount > 5" })).toBe(false);
    expect(await holds({ kind: "allRows", where: "amount is null or amount > 5" })).toBe(true);
    // Aggregates: sum 60; a NULL aggregate never holds, and says why.
    expect(await holds({ kind: "aggregate", expression: "sum(amount)", op: ">", value: 60 })).toBe(false);
    expect(await holds({ kind: "aggregate", expression: "sum(amount)", op: ">=", value: 60 })).toBe(true);
    const none = await evaluateCondition(
      { kind: "aggregate", expression: "max(amount) filter (where amount > 100)", op: "<", value: 1 },
      "c_vals",
      null,
    );
    expect(none).toMatchObject({ holds: false, value: null, reason: expect.stringMatching(/is null$/) });
    // Percent change against the previous value: 100 → 60 is −40 %, "more than 40 %" is strict.
    const change = (direction: "up" | "down" | "either", percent: number, previous: number | null) =>
      holds({ kind: "percentChange", expression: "sum(amount)", direction, percent }, previous);
    expect(await change("down", 40, 100)).toBe(false);
    expect(await change("down", 39.9, 100)).toBe(true);
    expect(await change("up", 10, 100)).toBe(false);
    expect(await change("either", 30, 100)).toBe(true);
    expect(await change("down", 1, null)).toBe(false);
    expect(await change("either", 1, 0)).toBe(false);
    // 50 → 60 is exactly +20 % however floating point rounds it: not "more than 20 %".
    expect(await change("up", 20, 50)).toBe(false);
    expect(await holds({ kind: "percentChange", expression: "sum(amount) / 10.0 * 1.4", direction: "up", percent: 20 }, 7)).toBe(false);
    // The expressions are user SQL on the sandbox role: the app's own tables are out of its reach.
    await expect(
      evaluateCondition({ kind: "anyRow", where: "(select count(*) from relayboard.users) > 0" }, "c_vals", null),
    ).rejects.toThrow(/could not be evaluated: permission denied/);
  }, 90_000);

  it("each firing mode sends exactly what it promises over false, true, true, false, true; percent change compares with the last run", async () => {
    const { createPipeline } = await import("@/lib/pipeline/pipelines");
    const body = (amount: number) => `id,amount\n1,${amount}\n`;
    host.files.set("/c_fire.csv", { body: body(50) });
    const { run: first, dataset } = await registerUrlDataset({ name: "c_fire", csvUrl: host.url("/c_fire.csv") }, actor);
    await finished(first.id);
    const over100 = { kind: "aggregate", expression: "sum(amount)", op: ">", value: 100 } as const;
    const table = { model: "c_fire" };
    const pipeline = await createPipeline(
      {
        name: "c_fire alerts",
        datasetId: dataset.id,
        deliveries: [
          { destinationId: null, condition: over100, fire: "every_run", template: { text: "mode everyrun", table } },
          { destinationId: null, condition: over100, fire: "on_change", template: { text: "mode onchange", table } },
          { destinationId: null, condition: over100, fire: "on_change_and_recovery", template: { text: "mode recovery", table } },
          {
            destinationId: null,
            condition: { kind: "percentChange", expression: "sum(amount)", direction: "up", percent: 50 },
            template: { text: "mode percent", table },
          },
        ],
      },
      actor,
    );
    const sent: string[][] = [];
    for (const amount of [50, 150, 150, 50, 150]) {
      host.files.set("/c_fire.csv", { body: body(amount) });
      const run = await finished((await requestRun(pipeline.id, { trigger: "manual", actor, force: true })).id);
      expect(run.status).toBe("succeeded");
      sent.push(
        messagesOf(run.id).map((m) => {
          const text = JSON.stringify(m.body);
          return text.includes("Back to normal") ? "recovery" : /mode (\w+)/.exec(text)![1]!;
        }),
      );
    }
    expect(sent).toEqual([
      [], // false (and no earlier value for the percent change)
      ["everyrun", "onchange", "recovery", "percent"], // becomes true; 50 → 150 is +200 %
      ["everyrun"], // still true; no change
      ["recovery"], // recovers: back to normal
      ["everyrun", "onchange", "recovery", "percent"], // true again; 50 → 150 again
    ]);
  }, 120_000);

  it("a snooze holds the message back; when it ends and the condition still holds, that is news", async () => {
    const { createPipeline, editPipeline } = await import("@/lib/pipeline/pipelines");
    const dataset = (await getSql()`select id from relayboard.datasets where name = 'c_fire'`)[0]!.id as string;
    const delivery = {
      destinationId: null,
      condition: { kind: "rowCount", op: ">", value: 0 } as const,
      fire: "on_change" as const,
      template: { text: "mode snoozy", table: { model: "c_fire" } },
    };
    const pipeline = await createPipeline(
      { name: "c_fire snoozed", datasetId: dataset, deliveries: [{ ...delivery, snoozeUntil: "2099-01-01T00:00:00Z" }] },
      actor,
    );
    const snoozed = await finished((await requestRun(pipeline.id, { trigger: "manual", actor, force: true })).id);
    expect(messagesOf(snoozed.id)).toHaveLength(0);
    expect(snoozed.warnings).toEqual([expect.stringMatching(/^No message was sent: message 1: snoozed until 2099-01-01T00:00:00Z/)]);
    await editPipeline({ id: pipeline.id, deliveries: [{ ...delivery, snoozeUntil: null }] });
    const awake = await finished((await requestRun(pipeline.id, { trigger: "manual", actor, force: true })).id);
    expect(messagesOf(awake.id)).toHaveLength(1);
  }, 90_000);

  it("refuses a condition that cannot be read, naming the field", async () => {
    const { pipelineDeliveryInput } = await import("@/lib/validation/pipelines");
    const bad = pipelineDeliveryInput.safeParse({
      template: { text: "x" },
      condition: { kind: "anyRow", where: "   " },
      snoozeUntil: "tomorrow",
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["condition.where", "snoozeUntil"]));
    const noModel = pipelineDeliveryInput.safeParse({ template: { text: "x" }, condition: { kind: "rowCount", op: ">", value: 1 } });
    expect(noModel.error?.issues[0]).toMatchObject({ path: ["condition"], message: expect.stringMatching(/needs a model/) });
    expect(pipelineDeliveryInput.safeParse({ template: { text: "x" }, condition: "has_rows" }).error?.issues[0]?.path).toEqual([
      "condition",
    ]);
  });
});

describe("one run at a time", () => {
  it("queues a second request, refuses a third, and cancelling a long load keeps the old table", async () => {
    host.files.set("/p_slow.csv", { body: csv(50, "old") });
    const first = await registerUrlDataset({ name: "p_slow", csvUrl: host.url("/p_slow.csv") }, actor);
    await finished(first.run.id);
    const pipelineId = first.run.pipelineId;

    host.files.set("/p_slow.csv", { body: csv(5000, "new"), slowMs: 8000 });
    const running = await requestRun(pipelineId, { trigger: "manual", actor });
    expect(running.status).toBe("running");
    const waiting = await requestRun(pipelineId, { trigger: "manual", actor });
    expect(waiting.status).toBe("queued");
    await expect(requestRun(pipelineId, { trigger: "manual", actor })).rejects.toMatchObject({ status: 409 });

    // Cancel the running one mid-fetch: it stops, the old table stays, the waiting run starts.
    await waitFor(async () => (await stepStates(running.id)).fetch === "running", 20_000, "fetch to start");
    await cancelRun(running.id);
    const cancelled = await finished(running.id, 30_000);
    expect(cancelled.status).toBe("cancelled");
    const [{ n }] = await getSql()`select count(*)::int as n from staging.p_slow`;
    expect(n).toBe(50);
    const next = await finished(waiting.id, 60_000);
    expect(next.status).toBe("succeeded");
    const [{ m }] = await getSql()`select count(*)::int as m from staging.p_slow`;
    expect(m).toBe(5000);
  }, 120_000);
});

describe("retry from the failed step", () => {
  it("re-runs only what failed and what follows", async () => {
    host.files.set("/p_retry.csv", { body: csv(10) });
    const { run, dataset } = await registerUrlDataset({ name: "p_retry", csvUrl: host.url("/p_retry.csv") }, actor);
    await finished(run.id);
    await saveModel(
      { name: "p_retry_ratio", materialization: "table", sql: "select id, amount / (id - id) as ratio from {{ ref('p_retry') }}" },
      actor,
    );
    const pipeline = (await getDefaultPipelineForDataset(dataset.id))!;
    const failing = await finished((await requestRun(pipeline.id, { trigger: "manual", actor, force: true })).id);
    expect(failing.status).toBe("failed");
    expect(failing.error).toMatchObject({ step: "transform" });
    expect(await stepStates(failing.id)).toEqual({
      fetch: "succeeded",
      load: "succeeded",
      transform: "failed",
      test: "skipped",
      deliver: "skipped",
    });
    const loadFinished = (await listRunSteps(failing.id)).find((s) => s.name === "load")!.finishedAt;

    await saveModel(
      { name: "p_retry_ratio", materialization: "table", sql: "select id, amount / id as ratio from {{ ref('p_retry') }}" },
      actor,
    );
    await retryRunFromFailedStep(failing.id);
    const retried = await finished(failing.id);
    expect(retried.status).toBe("succeeded");
    const steps = await listRunSteps(failing.id);
    expect(steps.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    // The load was not run again.
    expect(steps.find((s) => s.name === "load")!.finishedAt).toEqual(loadFinished);
  }, 120_000);
});

describe("schedules", () => {
  it("fire once per occurrence however many schedulers race", async () => {
    host.files.set("/p_cron.csv", { body: csv(3) });
    const { run, dataset } = await registerUrlDataset({ name: "p_cron", csvUrl: host.url("/p_cron.csv") }, actor);
    await finished(run.id);
    const pipeline = (await getDefaultPipelineForDataset(dataset.id))!;
    const log = pino({ level: "silent" });
    const start = new Date(Date.UTC(2030, 0, 1, 12, 0, 0));
    await updatePipeline(pipeline.id, { scheduleCron: "* * * * *", scheduleTimezone: "UTC", nextRunAt: new Date(start.getTime() - 1000) });
    let fired = 0;
    for (let minute = 0; minute < 3; minute++) {
      const now = new Date(start.getTime() + minute * 60_000 + 500);
      // Two schedulers (two workers) tick at the same moment.
      const counts = await Promise.all([fireDueSchedules(log, now), fireDueSchedules(log, now)]);
      fired += counts[0]! + counts[1]!;
      expect(counts[0]! + counts[1]!).toBe(1);
      const latest = (
        await getSql()`select id from relayboard.runs where pipeline_id = ${pipeline.id} order by created_at desc limit 1`
      )[0]!.id as string;
      await finished(latest);
      expect((await getPipelineById(pipeline.id))!.nextRunAt!.getTime()).toBe(start.getTime() + (minute + 1) * 60_000);
    }
    expect(fired).toBe(3);
    const scheduled =
      await getSql()`select count(*)::int as n from relayboard.runs where pipeline_id = ${pipeline.id} and trigger = 'schedule'`;
    expect(scheduled[0]!.n).toBe(3);
  }, 120_000);
});
