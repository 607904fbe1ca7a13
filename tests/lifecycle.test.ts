import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSql } from "@/db";
import {
  getDatasetById,
  getDatasetByName,
  insertDatasetLoad,
  listDatasetVersions,
  updateDataset,
  updateDatasetLoad,
} from "@/db/queries/datasets";
import { getPipelineById, insertRun, listPipelines, updateRun } from "@/db/queries/pipelines";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { datasetDependents, modelDependents, pipelineDependents } from "@/lib/lifecycle/dependents";
import { keepReason, listRemovableFailedDatasets, removeFailedDatasets } from "@/lib/lifecycle/failed-datasets";
import { createPipeline, removePipeline } from "@/lib/pipeline/pipelines";
import { requestRun } from "@/lib/pipeline/runs";
import { saveModel } from "@/lib/transform/models";
import { runEnded } from "./helpers/run-state";
import { startRunStandIns, type RunStandIns } from "./helpers/run-stand-ins";

/**
 * Lifecycle: what a delete takes along and breaks (the delete dialogs' lists), and the bulk removal
 * of datasets that failed and never loaded, with its server-side rules. Loads run for real (a worker,
 * the CSV host answering 404 for the failing ones); everything is read back from Postgres.
 */
let host: RunStandIns["host"];
let actor: Awaited<ReturnType<typeof createUser>>;
let standIns: RunStandIns;

beforeAll(async () => {
  standIns = await startRunStandIns();
  ({ host } = standIns);
  actor = await createUser({ email: "lifecycle@example.com", password: "long enough pw", role: "editor" });
}, 120_000);

afterAll(async () => {
  await standIns.close();
}, 60_000);

/** A dataset from the CSV host, its first load finished (404 for a path that serves nothing). */
async function registered(name: string, path: string) {
  const { dataset, run } = await registerUrlDataset({ name, csvUrl: host.url(path) }, actor);
  const ended = await runEnded(run.id, 60_000);
  return { dataset: (await getDatasetById(dataset.id))!, run: ended };
}

const message = (model: string, extra: Record<string, unknown> = {}) => ({
  destinationId: null,
  template: { text: "rows: {{run.rows}}", table: { model } },
  condition: "always" as const,
  ...extra,
});

describe("dependents", () => {
  it("a dataset lists its pipelines, the models that read it, those built on them, other pipelines' messages and its versions", async () => {
    host.files.set("/lc_orders.csv", { body: "id,amount\n1,10\n2,20\n" });
    host.files.set("/lc_events.csv", { body: "id,kind\n1,open\n" });
    const { dataset: orders, run } = await registered("lc_orders", "/lc_orders.csv");
    expect(run.status).toBe("succeeded");
    const { dataset: events } = await registered("lc_events", "/lc_events.csv");

    await saveModel({ name: "lc_daily", sql: "select id, amount from {{ ref('lc_orders') }}" }, actor);
    await saveModel({ name: "lc_top", sql: "select * from {{ ref('lc_daily') }} where amount > 10" }, actor);
    await saveModel({ name: "lc_unrelated", sql: "select * from {{ ref('lc_events') }}" }, actor);
    const extra = await createPipeline(
      {
        name: "lc orders extra",
        datasetId: orders.id,
        scheduleCron: "0 9 * * 1",
        scheduleTimezone: "UTC",
        deliveries: [message("lc_daily"), message("lc_daily", { digest: { key: ["id"], mode: "digest" } })],
      },
      actor,
    );
    const other = await createPipeline(
      {
        name: "lc events messages",
        datasetId: events.id,
        deliveries: [
          message("lc_unrelated"),
          message("lc_orders"),
          message("lc_unrelated", { condition: { kind: "rowCount", model: "lc_top", op: ">", value: 0 } }),
        ],
      },
      actor,
    );

    const forDataset = await datasetDependents(orders);
    expect(forDataset).toEqual({
      pipelines: [
        { id: expect.any(String), name: "lc_orders", isDefault: true },
        { id: extra.id, name: "lc orders extra", isDefault: false },
      ],
      readers: ["lc_daily"],
      downstream: ["lc_top"],
      messages: [{ id: other.id, name: "lc events messages", messages: [2] }],
      versionCount: (await listDatasetVersions(orders.id)).length,
    });
    expect(forDataset.versionCount).toBe(1);

    expect(await modelDependents("lc_daily")).toEqual({
      readers: ["lc_top"],
      downstream: ["lc_top"],
      messages: [{ id: extra.id, name: "lc orders extra", messages: [1, 2] }],
    });
    // A condition that reads another model counts as a use of that model.
    expect(await modelDependents("lc_top")).toEqual({
      readers: [],
      downstream: [],
      messages: [{ id: other.id, name: "lc events messages", messages: [3] }],
    });
  });

  it("a pipeline counts its runs, its 'what changed' messages and its schedule; a run in progress blocks the delete", async () => {
    const extra = (await listPipelines()).find((p) => p.name === "lc orders extra")!;
    for (const status of ["succeeded", "failed"] as const) {
      const run = await insertRun({ pipelineId: extra.id, trigger: "manual" });
      await updateRun(run.id, { status, finishedAt: new Date() });
    }
    expect(await pipelineDependents(extra)).toEqual({
      runCount: 2,
      digestMessages: 1,
      schedule: expect.stringMatching(/09:00|9:00|Monday/i),
      isDefault: false,
      running: false,
    });

    const running = await insertRun({ pipelineId: extra.id, trigger: "manual", status: "running" });
    expect((await pipelineDependents(extra)).running).toBe(true);
    await expect(removePipeline(extra.id, actor)).rejects.toThrow(/run in progress/);

    const own = (await listPipelines()).find((p) => p.name === "lc_orders")!;
    expect((await pipelineDependents(own)).isDefault).toBe(true);
    await expect(removePipeline(own.id, actor)).rejects.toThrow(/dataset's own pipeline/);

    await updateRun(running.id, { status: "cancelled", finishedAt: new Date() });
    await removePipeline(extra.id, actor);
    expect(await getPipelineById(extra.id)).toBeNull();
    const [{ n }] = await getSql()<{ n: number }[]>`select count(*)::int as n from relayboard.runs where pipeline_id = ${extra.id}`;
    expect(n).toBe(0);
  });
});

describe("removing failed datasets", () => {
  it("the rule: failed, never loaded and no load waiting or running", () => {
    expect(keepReason({ status: "failed", currentVersionId: null }, false)).toBeNull();
    expect(keepReason({ status: "failed", currentVersionId: null }, true)).toMatch(/queued or running/);
    expect(keepReason({ status: "failed", currentVersionId: crypto.randomUUID() }, false)).toMatch(/loaded data/);
    expect(keepReason({ status: "ready", currentVersionId: null }, false)).toMatch(/no longer failed/);
  });

  it("removes only those that still qualify when the action runs, and says why the others were kept", async () => {
    const gone = await registered("lc_fail_gone", "/lc_missing_1.csv");
    const busy = await registered("lc_fail_busy", "/lc_missing_2.csv");
    const also = await registered("lc_fail_also", "/lc_missing_3.csv");
    for (const r of [gone, busy, also]) {
      expect(r.run.status).toBe("failed");
      expect(r.dataset).toMatchObject({ status: "failed", currentVersionId: null });
    }
    // Loaded once, failed later: it holds data, so it is no cleanup candidate.
    host.files.set("/lc_flaky.csv", { body: "id\n1\n" });
    const flaky = await registered("lc_flaky", "/lc_flaky.csv");
    expect(flaky.dataset.currentVersionId).not.toBeNull();
    await updateDataset(flaky.dataset.id, { status: "failed" });

    const offered = (await listRemovableFailedDatasets()).map((d) => d.name).sort();
    expect(offered).toEqual(["lc_fail_also", "lc_fail_busy", "lc_fail_gone"]);

    // After the user saw the list: one gets a load queued, another loads successfully.
    const load = await insertDatasetLoad({ datasetId: busy.dataset.id, status: "queued" });
    host.files.set("/lc_missing_3.csv", { body: "id\n7\n" });
    const rerun = await runAgain(also.dataset.id);
    expect(rerun.status).toBe("succeeded");

    const result = await removeFailedDatasets(
      [gone.dataset.id, busy.dataset.id, also.dataset.id, flaky.dataset.id, crypto.randomUUID(), gone.dataset.id],
      actor,
    );
    expect(result.removed).toEqual(["lc_fail_gone"]);
    expect(result.kept).toEqual([
      { name: "lc_fail_busy", reason: "a load is queued or running" },
      { name: "lc_fail_also", reason: "it has loaded data" },
      { name: "lc_flaky", reason: "it has loaded data" },
    ]);

    expect(await getDatasetByName("lc_fail_gone")).toBeNull();
    expect((await listPipelines()).filter((p) => p.datasetId === gone.dataset.id)).toEqual([]);
    const [{ n: audited }] = await getSql()<{ n: number }[]>`select count(*)::int as n from relayboard.audit_events
      where action = 'dataset.deleted' and target_name = 'lc_fail_gone'`;
    expect(audited).toBe(1);
    for (const kept of [busy, also, flaky]) expect(await getDatasetById(kept.dataset.id)).not.toBeNull();

    // Once its load has ended (failed again), the busy one qualifies; a second pass removes it.
    await updateDatasetLoad(load.id, { status: "failed", finishedAt: new Date() });
    expect((await listRemovableFailedDatasets()).map((d) => d.name)).toEqual(["lc_fail_busy"]);
    expect(await removeFailedDatasets([busy.dataset.id, gone.dataset.id], actor)).toEqual({ removed: ["lc_fail_busy"], kept: [] });
  });
});

/** Runs a dataset's own pipeline again (its URL now serves a file) and waits for the run. */
async function runAgain(datasetId: string) {
  const own = (await listPipelines()).find((p) => p.datasetId === datasetId && p.isDefault)!;
  const { id } = await requestRun(own.id, { trigger: "manual", actor, force: true });
  return runEnded(id, 60_000);
}
