import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDatasetByName, getLatestDatasetVersion, moveFreshnessState } from "@/db/queries/datasets";
import { listRunSteps } from "@/db/queries/pipelines";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { updateDatasetSettings } from "@/lib/ingest/manage";
import { datasetViewByName } from "@/lib/api/views";
import { checkFreshness } from "@/lib/pipeline/freshness-check";
import { requestRun } from "@/lib/pipeline/runs";
import { createDestination } from "@/lib/slack/destinations";
import { runEnded } from "./helpers/run-state";
import { startRunStandIns, type RunStandIns } from "./helpers/run-stand-ins";

/** URL sources fetched conditionally (ETag / Last-Modified) and source freshness with its alerts. */
let host: RunStandIns["host"];
let sink: RunStandIns["sink"];
let actor: Awaited<ReturnType<typeof createUser>>;
let standIns: RunStandIns;
const log = pino({ level: "silent" });

beforeAll(async () => {
  standIns = await startRunStandIns();
  ({ host, sink } = standIns);
  actor = await createUser({ email: "fresh@example.com", password: "long enough pw", role: "editor" });
  await createDestination({ webhookUrl: sink.webhookUrl("/services/T6/B6/fresh"), name: "fresh sink" }, actor);
}, 120_000);

afterAll(async () => {
  await standIns.close();
}, 60_000);

const finished = (runId: string) => runEnded(runId, 60_000);

async function runOf(pipelineId: string, force = false) {
  return finished((await requestRun(pipelineId, { trigger: "manual", actor, force })).id);
}

describe("conditional fetch", () => {
  it("sends If-None-Match after an ETag: a 304 downloads nothing and the run records unchanged; a new ETag loads", async () => {
    host.files.set("/etag.csv", { body: "id,v\n1,a\n", etag: '"v1"' });
    const { run, dataset } = await registerUrlDataset({ name: "f_etag", csvUrl: host.url("/etag.csv") }, actor);
    expect((await finished(run.id)).status).toBe("succeeded");
    expect(host.log.filter((r) => r.path === "/etag.csv").map((r) => [r.ifNoneMatch, r.status])).toEqual([[undefined, 200]]);

    const unchanged = await runOf(run.pipelineId);
    expect(host.log.at(-1)).toMatchObject({ path: "/etag.csv", ifNoneMatch: '"v1"', status: 304 });
    const fetch = (await listRunSteps(unchanged.id)).find((s) => s.name === "fetch")!;
    expect(fetch.log.map((l) => l.message)).toContain("The source answered 304 Not Modified: nothing was downloaded");
    expect(fetch.skipReason).toMatch(/source unchanged/);
    expect(fetch.counts.bytes).toBe(0);

    // A forced run asks unconditionally (and finds the same content).
    await runOf(run.pipelineId, true);
    expect(host.log.at(-1)).toMatchObject({ ifNoneMatch: undefined, status: 200 });

    host.files.set("/etag.csv", { body: "id,v\n1,a\n2,b\n", etag: '"v2"' });
    const changed = await runOf(run.pipelineId);
    expect(host.log.at(-1)).toMatchObject({ ifNoneMatch: '"v1"', status: 200 });
    expect(changed.status).toBe("succeeded");
    expect((await getDatasetByName("f_etag"))?.rowCount).toBe(2);
    expect((await getLatestDatasetVersion(dataset.id))?.version).toBe(2);
  }, 120_000);

  it("falls back to If-Modified-Since when there is no ETag", async () => {
    const lastModified = "Mon, 07 Dec 2026 08:00:00 GMT";
    host.files.set("/lm.csv", { body: "id\n1\n", lastModified });
    const { run } = await registerUrlDataset({ name: "f_lm", csvUrl: host.url("/lm.csv") }, actor);
    await finished(run.id);
    await runOf(run.pipelineId);
    expect(host.log.at(-1)).toMatchObject({ path: "/lm.csv", ifModifiedSince: lastModified, status: 304 });
  }, 60_000);
});

describe("source freshness", () => {
  it("goes ok → warn → error → ok with one alert per change, judged on when the content last changed", async () => {
    host.files.set("/fresh.csv", { body: "id\n1\n" });
    const { run, dataset } = await registerUrlDataset({ name: "f_fresh", csvUrl: host.url("/fresh.csv") }, actor);
    await finished(run.id);
    await updateDatasetSettings(dataset.id, { freshness: { warnAfter: "PT1H", errorAfter: "PT2H" } }, actor);
    const changedAt = (await getLatestDatasetVersion(dataset.id))!.createdAt.getTime();
    const alerts = () => sink.messages.filter((m) => JSON.stringify(m.body).includes("Freshness went from"));
    const at = (minutes: number) => new Date(changedAt + minutes * 60_000);
    const check = async (minutes: number) => checkFreshness(log, at(minutes), { everyDataset: true });

    expect(await check(30)).toBe(0); // ok on the first check is not news
    expect(await check(61)).toBe(1);
    expect(await check(62)).toBe(0); // still warn: nothing new
    expect(await check(121)).toBe(1);
    expect(alerts().map((m) => JSON.stringify(m.body))).toEqual([
      expect.stringContaining("f_fresh is getting stale"),
      expect.stringContaining("f_fresh is stale"),
    ]);
    // Two checkers at the same moment: one announces.
    expect((await Promise.all([check(122), check(122)])).reduce((a, b) => a + b)).toBe(0);

    // New content: fresh again, once.
    host.files.set("/fresh.csv", { body: "id\n1\n2\n" });
    await runOf(run.pipelineId);
    const newChangedAt = (await getLatestDatasetVersion(dataset.id))!.createdAt.getTime();
    expect(await checkFreshness(log, new Date(newChangedAt + 60_000), { everyDataset: true })).toBe(1);
    expect(alerts()).toHaveLength(3);
    expect(JSON.stringify(alerts()[2]!.body)).toContain("f_fresh is fresh again");

    const view = await datasetViewByName("f_fresh");
    expect(view?.freshness).toMatchObject({ warnAfter: "PT1H", errorAfter: "PT2H", state: "ok", announced: "ok" });
  }, 120_000);

  it("judges each dataset at most once a minute when the worker asks every few seconds", async () => {
    const dataset = (await getDatasetByName("f_fresh"))!;
    const changedAt = (await getLatestDatasetVersion(dataset.id))!.createdAt.getTime();
    const stale = new Date(changedAt + 3 * 3_600_000); // past errorAfter: a check now moves ok → error
    const judged = async () => (await getDatasetByName("f_fresh"))!;
    // Checked a moment ago (the last test's check): not due yet, though the verdict would change.
    await moveFreshnessState(dataset.id, "ok", "ok", new Date(stale.getTime() - 30_000));
    expect(await checkFreshness(log, stale)).toBe(0);
    expect((await judged()).freshnessState).toBe("ok");
    // A minute after that check it is due, and the change is announced.
    expect(await checkFreshness(log, new Date(stale.getTime() + 31_000))).toBe(1);
    expect((await judged()).freshnessState).toBe("error");
  });

  it("refuses a duration that is not ISO-8601, naming it", async () => {
    const dataset = (await getDatasetByName("f_fresh"))!;
    await expect(updateDatasetSettings(dataset.id, { freshness: { warnAfter: "6 hours" } }, actor)).rejects.toThrow(
      /6 hours.{0,4} is not an ISO-8601 duration/,
    );
  });
});
