import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSql } from "@/db";
import { getDestinationById, listDeliveriesForRun, listDeliveryAttempts } from "@/db/queries/destinations";
import { getRunById, listRunSteps } from "@/db/queries/pipelines";
import { createUser } from "@/lib/auth/users";
import { resetEnvForTests } from "@/lib/env";
import { getSampleDataState, SAMPLE_DATASET, SAMPLE_MODEL, startSampleData, type SampleActor } from "@/lib/onboarding/sample-data";
import { deliver } from "@/lib/slack/deliver";
import { editDestination, toPublicDestination } from "@/lib/slack/destinations";
import { SAMPLE_RESPONSE } from "@/lib/slack/sample-destination";
import { waitFor } from "./helpers/processes";
import { startWorker, type WorkerHandle } from "./helpers/workers";

let editor: SampleActor;
let viewer: SampleActor;
let worker: WorkerHandle | undefined;

beforeAll(async () => {
  // No host is allowed: the sample destination must work with no network at all.
  process.env.OUTBOUND_ALLOW_HOSTS = "";
  resetEnvForTests();
  editor = { ...(await createUser({ email: "sample-editor@example.com", password: "long enough pw", role: "editor" })), role: "editor" };
  viewer = { ...(await createUser({ email: "sample-viewer@example.com", password: "long enough pw", role: "viewer" })), role: "viewer" };
}, 60_000);

afterAll(async () => {
  await worker?.stop();
}, 60_000);

async function counts() {
  const [row] = await getSql()`select
    (select count(*)::int from relayboard.datasets) as datasets,
    (select count(*)::int from relayboard.models) as models,
    (select count(*)::int from relayboard.destinations) as destinations,
    (select count(*)::int from relayboard.pipelines) as pipelines,
    (select count(*)::int from relayboard.runs) as runs,
    (select count(*)::int from relayboard.deliveries) as deliveries`;
  return row!;
}

async function finished(runId: string) {
  return waitFor(
    async () => {
      const run = await getRunById(runId);
      return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? run : null;
    },
    60_000,
    `run ${runId} to finish`,
  );
}

describe("sample data", () => {
  it("is offered on an empty install, and refused to a viewer", async () => {
    expect(await getSampleDataState()).toEqual({ kind: "offer" });
    await expect(startSampleData(viewer)).rejects.toThrow(/editor role/);
    expect(await counts()).toMatchObject({ datasets: 0, destinations: 0 });
  });

  it("says so when no worker is running, and creates nothing", async () => {
    await expect(startSampleData(editor)).rejects.toThrow(/No worker is running/);
    expect(await counts()).toMatchObject({ datasets: 0, models: 0, destinations: 0 });
  });

  it("loads the orders, builds the model and records the message without any network; twice is once", async () => {
    worker = await startWorker({ DATABASE_URL: process.env.DATABASE_URL!, DATA_DIR: process.env.DATA_DIR!, OUTBOUND_ALLOW_HOSTS: "" });
    // Two clicks at once: one sets up, the other waits and gets the same run.
    const [a, b] = await Promise.all([startSampleData(editor), startSampleData(editor)]);
    expect(a.runId).toBe(b.runId);
    expect([a.created, b.created].sort()).toEqual([false, true]);

    const run = await finished(a.runId);
    expect(run.status, JSON.stringify(await listRunSteps(run.id))).toBe("succeeded");
    const steps = Object.fromEntries((await listRunSteps(run.id)).map((s) => [s.name, s]));
    expect(steps.load!.counts.rows).toBe(4000);
    expect(steps.transform!.counts.models).toBe(1);
    expect(steps.test!.counts).toMatchObject({ tests: 3, testsFailed: 0 });
    expect(steps.deliver!.counts.messages).toBe(1);

    const [delivery] = await listDeliveriesForRun(run.id);
    expect(delivery).toMatchObject({ status: "sent", attempts: 1 });
    const destination = (await getDestinationById(delivery!.destinationId))!;
    expect(destination).toMatchObject({ kind: "sample", isDefault: true });
    expect(toPublicDestination(destination).webhookUrlMasked).not.toMatch(/https?:/);
    const payload = JSON.stringify(delivery!.payload);
    expect(payload).toContain("Weekly revenue by region");
    expect(payload).toContain("4000");
    expect(payload).toMatch(/2025-06-23/); // the latest week of the bundled orders
    const attempts = await listDeliveryAttempts(delivery!.id);
    expect(attempts).toMatchObject([{ attempt: 1, statusCode: null, response: SAMPLE_RESPONSE }]);

    const revenue = await getSql().unsafe(
      `select region, orders, revenue from warehouse."${SAMPLE_MODEL}" where week = '2025-06-23' order by region`,
    );
    expect(revenue.map((r) => r.region)).toEqual(["Central", "East", "North", "South", "West"]);

    // The registration's own run loaded the file and sent nothing.
    const [{ id: firstRunId }] = await getSql()`select id from relayboard.runs where id <> ${run.id}`;
    expect((await getRunById(firstRunId))!.status).toBe("succeeded");
    expect(await listDeliveriesForRun(firstRunId)).toEqual([]);

    const before = await counts();
    expect(before).toEqual({ datasets: 1, models: 1, destinations: 1, pipelines: 1, runs: 2, deliveries: 1 });
    const again = await startSampleData(editor);
    expect(again).toEqual({ runId: run.id, created: false });
    expect(await counts()).toEqual(before);

    const actions = (await getSql()`select action from relayboard.audit_events where actor_id = ${editor.id}`).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "destination.created",
        "dataset.created",
        "model.saved",
        "pipeline.updated",
        "run.requested",
        "sample_data.started",
      ]),
    );
    expect(actions.filter((x) => x === "sample_data.started")).toHaveLength(1);

    const state = await getSampleDataState();
    expect(state).toMatchObject({
      kind: "loaded",
      datasetName: SAMPLE_DATASET,
      modelName: SAMPLE_MODEL,
      destinationId: destination.id,
      hasRealWebhook: false,
      scheduled: false,
    });
  });

  it("answers as Slack would for a message Slack would refuse", async () => {
    const state = await getSampleDataState();
    if (state.kind !== "loaded") throw new Error("no sample");
    const outcome = await deliver({
      deliveryKey: "too-long-header",
      destinationId: state.destinationId!,
      payload: { text: "x", blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] },
    });
    expect(outcome).toMatchObject({ status: "failed", permanent: true, slackResponse: "invalid_blocks" });
    expect(outcome.delivery.error).toMatch(/header longer than 150/);
  });

  it("becomes a real Slack destination when given a webhook URL, and is then no longer offered", async () => {
    const state = await getSampleDataState();
    if (state.kind !== "loaded") throw new Error("no sample");
    const edited = await editDestination(
      { id: state.destinationId!, webhookUrl: "https://hooks.slack.com/services/T000/B000/sampleToReal" },
      editor,
    );
    expect(edited).toMatchObject({ kind: "webhook", webhookUrlMasked: "https://hooks.slack.com/…/Real" });
    expect(await getSampleDataState()).toMatchObject({ kind: "loaded", destinationId: null, hasRealWebhook: true });
  });
});
