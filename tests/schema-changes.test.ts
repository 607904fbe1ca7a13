import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSql } from "@/db";
import { getDatasetByName, getLatestDatasetVersion } from "@/db/queries/datasets";
import { createUser } from "@/lib/auth/users";
import { datasetViewByName } from "@/lib/api/views";
import { registerUrlDataset } from "@/lib/ingest/register";
import { updateDatasetSettings } from "@/lib/ingest/manage";
import { requestRun } from "@/lib/pipeline/runs";
import { saveModel } from "@/lib/transform/models";
import { editPipeline } from "@/lib/pipeline/pipelines";
import { createDestination } from "@/lib/slack/destinations";
import { runEnded } from "./helpers/run-state";
import { startRunStandIns, type RunStandIns } from "./helpers/run-stand-ins";

/** A dataset's schema across versions: the recorded diff, renames suggested, `freeze` and type locks. */
let host: RunStandIns["host"];
let sink: RunStandIns["sink"];
let alerts: string;
let actor: Awaited<ReturnType<typeof createUser>>;
let standIns: RunStandIns;

beforeAll(async () => {
  standIns = await startRunStandIns();
  ({ host, sink } = standIns);
  actor = await createUser({ email: "schema@example.com", password: "long enough pw", role: "editor" });
  alerts = (await createDestination({ webhookUrl: sink.webhookUrl("/services/T5/B5/schema"), name: "schema alerts" }, actor)).id;
}, 120_000);

afterAll(async () => {
  await standIns.close();
}, 60_000);

const finished = (runId: string) => runEnded(runId, 60_000);

const rows = (header: string, make: (i: number) => string, n = 20) =>
  [header, ...Array.from({ length: n }, (_, i) => make(i + 1))].join("\n") + "\n";

async function loadVersion(path: string, body: string, pipelineId: string) {
  host.files.set(path, { body });
  return finished((await requestRun(pipelineId, { trigger: "manual", actor })).id);
}

async function latestChanges(datasetId: string) {
  return (await getLatestDatasetVersion(datasetId))!.schemaChanges;
}

describe("schema changes between versions", () => {
  it("records added, removed, retyped and suggested renames per version, in the API", async () => {
    host.files.set("/s_evolve.csv", {
      body: rows("id,name,amount,day", (i) => `${i},n${i},${i * 10},2026-01-${String(i).padStart(2, "0")}`),
    });
    const { run, dataset } = await registerUrlDataset({ name: "s_evolve", csvUrl: host.url("/s_evolve.csv") }, actor);
    expect((await finished(run.id)).status).toBe("succeeded");
    expect(await latestChanges(dataset.id)).toBeNull();

    await editPipeline({ id: run.pipelineId, failureAlertDestinationId: alerts });
    const notices = () => sink.messages.map((m) => JSON.stringify(m.body)).filter((b) => b.includes("changed shape"));
    // A model that uses a column the next file drops.
    await saveModel({ name: "s_evolve_days", materialization: "view", sql: "select id, day from {{ ref('s_evolve') }}" }, actor);

    const dropped = await loadVersion(
      "/s_evolve.csv",
      rows("id,name,amount,region", (i) => `${i},n${i},${i * 10},r${i % 3}`),
      run.pipelineId,
    );
    expect(await latestChanges(dataset.id)).toEqual({
      added: [{ name: "region", type: "text" }],
      removed: [{ name: "day", type: "date" }],
      retyped: [],
      renamed: [],
    });
    // Said in the run and, once, to the failure-alert destination.
    expect(dropped.warnings).toContain("Version 2 changed the columns of s_evolve: added region (text); removed day (date)");
    expect(notices()).toEqual([expect.stringContaining("added region (text); removed day (date)")]);
    // The model reading the dropped column fails, naming it.
    expect(dropped.status).toBe("failed");
    expect(dropped.error?.detail).toMatch(/column "day" does not exist: version 2 of s_evolve removed day/);

    // name → customer with the same values: a rename, suggested.
    await loadVersion(
      "/s_evolve.csv",
      rows("id,customer,amount,region", (i) => `${i},n${i},${i * 10},r${i % 3}`),
      run.pipelineId,
    );
    expect(await latestChanges(dataset.id)).toEqual({
      added: [{ name: "customer", type: "text" }],
      removed: [{ name: "name", type: "text" }],
      retyped: [],
      renamed: [{ from: "name", to: "customer", similarity: 1 }],
    });

    expect(notices()).toHaveLength(2);
    await updateDatasetSettings(dataset.id, { schemaNotices: false }, actor);
    // bigint → numeric.
    await loadVersion(
      "/s_evolve.csv",
      rows("id,customer,amount,region", (i) => `${i},n${i},${i * 10}.5,r${i % 3}`),
      run.pipelineId,
    );
    expect((await latestChanges(dataset.id))?.retyped).toEqual([{ name: "amount", from: "bigint", to: "numeric" }]);
    // Whole numbers again: amount stays numeric (the lattice only widens), so nothing is retyped.
    await loadVersion(
      "/s_evolve.csv",
      rows("id,customer,amount,region", (i) => `${i},n${i},${i * 7},r${i % 3}`),
      run.pipelineId,
    );
    expect((await latestChanges(dataset.id))?.retyped).toEqual([]);
    expect((await getDatasetByName("s_evolve"))!.columns.find((c) => c.name === "amount")?.inferredType).toBe("numeric");
    const view = await datasetViewByName("s_evolve");
    expect(view?.versions.map((v) => v.schemaChanges?.retyped.length ?? null)).toEqual([0, 1, 0, 0, null]);
    expect(view?.schemaPolicy).toBe("evolve");
    expect(notices()).toHaveLength(2);
  }, 180_000);

  it("date → text widens and stays text when the dates come back (types never flip back and forth)", async () => {
    host.files.set("/s_dates.csv", { body: rows("id,day", (i) => `${i},2026-02-${String(i).padStart(2, "0")}`) });
    const { run, dataset } = await registerUrlDataset({ name: "s_dates", csvUrl: host.url("/s_dates.csv") }, actor);
    await finished(run.id);
    const typeOfDay = async () => (await getDatasetByName("s_dates"))!.columns.find((c) => c.name === "day")?.inferredType;
    expect(await typeOfDay()).toBe("date");
    await saveModel(
      { name: "s_dates_recent", materialization: "table", sql: "select id from {{ ref('s_dates') }} where day > date '2026-02-10'" },
      actor,
    );
    const soon = await loadVersion(
      "/s_dates.csv",
      rows("id,day", (i) => `${i},${i === 5 ? "soon" : `2026-03-0${(i % 9) + 1}`}`),
      run.pipelineId,
    );
    // The model comparing day with a date fails, saying which version made it text.
    expect(soon.status).toBe("failed");
    expect(soon.error?.detail).toMatch(/operator does not exist: text > date: day of s_dates became text \(was date\) in version 2/);
    expect((await latestChanges(dataset.id))?.retyped).toEqual([{ name: "day", from: "date", to: "text" }]);
    await loadVersion(
      "/s_dates.csv",
      rows("id,day", (i) => `${i},2026-04-0${(i % 9) + 1}`),
      run.pipelineId,
    );
    expect(await typeOfDay()).toBe("text");
    expect((await latestChanges(dataset.id))?.retyped).toEqual([]);
  }, 120_000);

  it("evolve when appending: a new column is added (NULL for older rows), a dropped one stays (NULL for new rows), types only widen", async () => {
    host.files.set("/s_append.csv", { body: rows("id,amount", (i) => `${i},${i}`, 3) });
    const { run } = await registerUrlDataset(
      { name: "s_append", csvUrl: host.url("/s_append.csv"), options: { loadMode: "append" } },
      actor,
    );
    await finished(run.id);
    expect(
      (
        await loadVersion(
          "/s_append.csv",
          rows("id,amount,region", (i) => `${i + 3},${i}.5,r${i}`, 3),
          run.pipelineId,
        )
      ).status,
    ).toBe("succeeded");
    const third = await loadVersion(
      "/s_append.csv",
      rows("id,region", (i) => `${i + 6},q${i}`, 3),
      run.pipelineId,
    );
    expect(third.status).toBe("succeeded");
    const table = await getSql()`select id, amount::text as amount, region from warehouse.s_append order by id`;
    expect(table.map((r) => [Number(r.id), r.amount, r.region])).toEqual([
      [1, "1", null],
      [2, "2", null],
      [3, "3", null],
      [4, "1.5", "r1"],
      [5, "2.5", "r2"],
      [6, "3.5", "r3"],
      [7, null, "q1"],
      [8, null, "q2"],
      [9, null, "q3"],
    ]);
    const columns = (await getDatasetByName("s_append"))!.columns.map((c) => [c.name, c.inferredType]);
    expect(columns).toEqual([
      ["id", "bigint"],
      ["amount", "numeric"],
      ["region", "text"],
    ]);
    // Whole numbers again: amount stays numeric (types never narrow back while old rows hold decimals).
    await loadVersion(
      "/s_append.csv",
      rows("id,amount,region", (i) => `${i + 9},${i},x`, 2),
      run.pipelineId,
    );
    expect((await getDatasetByName("s_append"))!.columns.find((c) => c.name === "amount")?.inferredType).toBe("numeric");
  }, 180_000);

  it("freeze: a file that changes the schema fails with the diff and the previous table stays; evolve lets it through", async () => {
    host.files.set("/s_frozen.csv", { body: rows("id,amount", (i) => `${i},${i}`) });
    const { run, dataset } = await registerUrlDataset({ name: "s_frozen", csvUrl: host.url("/s_frozen.csv") }, actor);
    await finished(run.id);
    await updateDatasetSettings(dataset.id, { schemaPolicy: "freeze" }, actor);

    const added = await loadVersion(
      "/s_frozen.csv",
      rows("id,amount,note", (i) => `${i},${i},x`),
      run.pipelineId,
    );
    expect(added.status).toBe("failed");
    expect(added.error?.message).toMatch(
      /The schema of s_frozen is frozen and this file changes it: added note\. The previous table is kept/,
    );
    const retyped = await loadVersion(
      "/s_frozen.csv",
      rows("id,amount", (i) => `${i},${i === 7 ? "seven" : i}`),
      run.pipelineId,
    );
    expect(retyped.status).toBe("failed");
    expect(retyped.error?.message).toMatch(/[Ll]ine 8/);
    expect(retyped.error?.message).toMatch(/amount/);
    const [{ n }] = await getSql()`select count(*)::int as n from warehouse.s_frozen`;
    expect(n).toBe(20);
    expect((await getDatasetByName("s_frozen"))?.columns.map((c) => [c.name, c.inferredType, c.overrideType])).toEqual([
      ["id", "bigint", undefined],
      ["amount", "bigint", undefined],
    ]);

    await updateDatasetSettings(dataset.id, { schemaPolicy: "evolve" }, actor);
    const through = await loadVersion(
      "/s_frozen.csv",
      rows("id,amount,note", (i) => `${i},${i},y`),
      run.pipelineId,
    );
    expect(through.status).toBe("succeeded");
  }, 180_000);

  it("a type lock fails a file whose values do not fit, naming the line; a lock on a missing column says so", async () => {
    host.files.set("/s_locked.csv", { body: rows("id,amount", (i) => `${i},${i}.25`) });
    const { run, dataset } = await registerUrlDataset({ name: "s_locked", csvUrl: host.url("/s_locked.csv") }, actor);
    await finished(run.id);
    await updateDatasetSettings(dataset.id, { typeLocks: { amount: "numeric" } }, actor);
    const bad = await loadVersion(
      "/s_locked.csv",
      rows("id,amount", (i) => `${i},${i === 3 ? "n/a?" : i}`),
      run.pipelineId,
    );
    expect(bad.status).toBe("failed");
    expect(bad.error?.message).toMatch(/[Ll]ine 4/);
    // Integers fit numeric: the lock holds the type.
    const ints = await loadVersion(
      "/s_locked.csv",
      rows("id,amount", (i) => `${i},${i}`),
      run.pipelineId,
    );
    expect(ints.status).toBe("succeeded");
    expect((await getDatasetByName("s_locked"))?.columns.find((c) => c.name === "amount")).toMatchObject({ inferredType: "numeric" });
    const gone = await loadVersion(
      "/s_locked.csv",
      rows("id,total", (i) => `${i},${i}`),
      run.pipelineId,
    );
    expect(gone.error?.message).toMatch(/amount \(locked to numeric\) is missing from this file/);
    await expect(updateDatasetSettings(dataset.id, { typeLocks: { nope: "text" } }, actor)).rejects.toThrow(/Cannot lock nope/);
  }, 180_000);

  it("a snapshot model over CSV loads: a changed row and a deleted one are versioned, the deleted row comes back, an identical load adds nothing", async () => {
    const csv = (lines: string[]) => ["id,status", ...lines].join("\n") + "\n";
    host.files.set("/s_hist.csv", { body: csv(["1,new", "2,open", "3,open"]) });
    const { run } = await registerUrlDataset({ name: "s_hist", csvUrl: host.url("/s_hist.csv") }, actor);
    await finished(run.id);
    await saveModel(
      {
        name: "s_hist_versions",
        materialization: "snapshot",
        uniqueKey: ["id"],
        snapshot: { strategy: "check" },
        sql: "select id, status from {{ ref('s_hist') }}",
      },
      actor,
    );
    const history = async () =>
      (
        await getSql()`select id::int as id, status, is_deleted, valid_to is null as current
          from warehouse.s_hist_versions order by id, valid_from, is_deleted`
      ).map((r) => [r.id, r.status, r.is_deleted, r.current]);
    expect((await finished((await requestRun(run.pipelineId, { trigger: "manual", actor, force: true })).id)).status).toBe("succeeded");
    expect(await history()).toEqual([
      [1, "new", false, true],
      [2, "open", false, true],
      [3, "open", false, true],
    ]);
    // 2 changed, 3 deleted.
    expect((await loadVersion("/s_hist.csv", csv(["1,new", "2,closed"]), run.pipelineId)).status).toBe("succeeded");
    // 3 back.
    expect((await loadVersion("/s_hist.csv", csv(["1,new", "2,closed", "3,open"]), run.pipelineId)).status).toBe("succeeded");
    const expected = [
      [1, "new", false, true],
      [2, "open", false, false],
      [2, "closed", false, true],
      [3, "open", false, false],
      [3, "open", true, false],
      [3, "open", false, true],
    ];
    expect(await history()).toEqual(expected);
    // The same file again, forced through every step: nothing new.
    expect((await finished((await requestRun(run.pipelineId, { trigger: "manual", actor, force: true })).id)).status).toBe("succeeded");
    expect(await history()).toEqual(expected);
  }, 180_000);
});
