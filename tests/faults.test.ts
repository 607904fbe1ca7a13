import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { getDatasetById, getDatasetLoad, listDatasetVersions } from "@/db/queries/datasets";
import { getDestinationById } from "@/db/queries/destinations";
import { getRunById, listRunSteps } from "@/db/queries/pipelines";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { requestRun } from "@/lib/pipeline/runs";
import { createDestination } from "@/lib/slack/destinations";
import { waitFor } from "./helpers/processes";
import { startWorker, type WorkerHandle } from "./helpers/workers";

/**
 * Faults from the outside world, through the whole run path with a real worker: a CSV host that
 * breaks off mid-body or lies about Content-Length, and a Slack that is down for good.
 */
let host: http.Server;
let hostPort: number;
let deadSlackPort: number;
let worker: WorkerHandle;
let actor: { id: string };
const behaviour = new Map<string, "good" | "drop" | "short">();

const GOOD = "id,v\n" + Array.from({ length: 200 }, (_, i) => `${i},${"x".repeat(50)}`).join("\n") + "\n";

beforeAll(async () => {
  host = http.createServer((req, res) => {
    const mode = behaviour.get(req.url ?? "") ?? "good";
    const body = Buffer.from(GOOD);
    if (mode === "good") {
      res.writeHead(200, { "content-type": "text/csv", "content-length": String(body.length) }).end(body);
      return;
    }
    // Promise the whole file, send half, then cut the connection.
    res.writeHead(200, { "content-type": "text/csv", "content-length": String(mode === "short" ? body.length + 5000 : body.length) });
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    setTimeout(() => res.destroy(), 50);
  });
  await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
  hostPort = (host.address() as AddressInfo).port;
  // A port nothing listens on: Slack is down.
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  deadSlackPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));

  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${hostPort},127.0.0.1:${deadSlackPort}`;
  resetEnvForTests();
  actor = await createUser({ email: "faults@example.com", password: "long enough pw", role: "editor" });
  worker = await startWorker({
    DATABASE_URL: process.env.DATABASE_URL!,
    DATA_DIR: process.env.DATA_DIR!,
    OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS,
  });
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  host.closeAllConnections();
  await new Promise<void>((r) => host.close(() => r()));
  await closeDb();
}, 60_000);

async function finished(runId: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const run = await getRunById(runId);
      return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? run : null;
    },
    timeoutMs,
    "the run to finish",
  );
}

describe("the CSV host misbehaves", () => {
  for (const mode of ["drop", "short"] as const) {
    it(`${mode === "drop" ? "drops the connection mid-body" : "sends a wrong Content-Length"}: a clear error, no new version, the old table intact`, async () => {
      const path = `/faulty_${mode}.csv`;
      behaviour.set(path, "good");
      const { run, dataset } = await registerUrlDataset({ name: `faulty_${mode}`, csvUrl: `http://127.0.0.1:${hostPort}${path}` }, actor);
      expect((await finished(run.id)).status).toBe("succeeded");
      const [{ n: before }] = await getSql().unsafe(`select count(*)::int as n from staging."faulty_${mode}"`);

      behaviour.set(path, mode);
      const bad = await finished((await requestRun(run.pipelineId, { trigger: "manual", actor, force: true })).id);
      expect(bad.status).toBe("failed");
      expect(bad.error).toMatchObject({ step: "fetch" });
      expect(bad.error?.message).toMatch(/incomplete|ended|closed|fewer bytes|timed out/i);
      expect(await listDatasetVersions(dataset.id)).toHaveLength(1);
      const [{ n: after }] = await getSql().unsafe(`select count(*)::int as n from staging."faulty_${mode}"`);
      expect(after).toBe(before);
      const load = await getDatasetLoad(bad.loadId!);
      expect(load?.status).toBe("failed");
      expect((await getDatasetById(dataset.id))?.rowCount).toBe(200);
    }, 240_000);
  }
});

describe("Slack is down longer than the retry window", () => {
  it("fails the delivery visibly and the run says so; the data is loaded", async () => {
    const dest = await createDestination(
      { webhookUrl: `http://127.0.0.1:${deadSlackPort}/services/TD/BD/down`, name: "down", default: true },
      actor,
    );
    behaviour.set("/slack_down.csv", "good");
    const { run } = await registerUrlDataset({ name: "slack_down", csvUrl: `http://127.0.0.1:${hostPort}/slack_down.csv` }, actor);
    const done = await finished(run.id, 180_000);
    // The worker survived Slack being down (it used to crash on an unhandled rejection).
    expect(worker.child.exitCode).toBeNull();
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ step: "deliver" });
    const steps = await listRunSteps(run.id);
    expect(steps.find((s) => s.name === "load")!.status).toBe("succeeded");
    const [delivery] = await getSql()`select status, attempts, error from relayboard.deliveries where run_id = ${run.id}`;
    expect(delivery).toMatchObject({ status: "failed" });
    expect(delivery!.attempts).toBeGreaterThanOrEqual(2);
    const attempts =
      await getSql()`select error from relayboard.delivery_attempts where delivery_id = (select id from relayboard.deliveries where run_id = ${run.id})`;
    expect(attempts.every((a) => typeof a.error === "string" && a.error.length > 0)).toBe(true);
    // Connection failures are not Slack's verdict on the webhook, so it is not flagged.
    expect((await getDestinationById(dest.id))?.status).toBe("ok");
  }, 240_000);
});
