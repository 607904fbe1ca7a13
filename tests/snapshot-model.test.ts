import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { getModelByName, listModelRevisions } from "@/db/queries/models";
import type { ModelBuild } from "@/db/schema/models";
import { createUser } from "@/lib/auth/users";
import { createApiToken } from "@/lib/api/tokens";
import { buildModels } from "@/lib/transform/build";
import { saveModel } from "@/lib/transform/models";
import type { ModelInput } from "@/lib/validation/models";

/**
 * Snapshot models (dbt's SCD type 2), built for real on the sandbox role. Each "load" re-saves a
 * source view of literal rows and builds it and the snapshot on top, as a dataset reload followed
 * by its downstream build would. Versions dated by the build are compared by which build's time
 * window holds them (B1, B2, …): the build's transaction time is the database's own clock.
 */

let actor: { id: string; email: string; role: "editor" };
const save = (m: ModelInput) => saveModel(m, actor);

beforeAll(async () => {
  const user = await createUser({ email: "snapshots@example.com", password: "long enough pw", role: "editor" });
  actor = { id: user.id, email: "snapshots@example.com", role: "editor" };
});

afterAll(async () => {
  await closeDb();
});

type Window = { label: string; from: number; to: number };

function values(columns: string, rows: string[]): string {
  return `select * from (values ${rows.join(", ")}) as v(${columns})`;
}

/** Re-saves the source and builds it with the snapshot; the build's window labels its versions. */
async function load(windows: Window[], source: string, columns: string, rows: string[], snapshot: string): Promise<ModelBuild> {
  await save({ name: source, sql: values(columns, rows) });
  const from = Date.now() - 1;
  const { builds } = await buildModels({ names: [source, snapshot] });
  windows.push({ label: `B${windows.length + 1}`, from, to: Date.now() + 1 });
  expect(builds.find((b) => b.modelName === source)!.status).toBe("succeeded");
  return builds.find((b) => b.modelName === snapshot)!;
}

function label(windows: Window[], value: Date | string | null): string | null {
  if (value === null) return null;
  const at = new Date(value);
  const t = at.getTime();
  return windows.find((w) => t >= w.from && t <= w.to)?.label ?? at.toISOString().slice(0, 10);
}

/** The whole snapshot, in key and version order, with build times as labels. */
async function history(windows: Window[], table: string, columns: string[]): Promise<unknown[][]> {
  const rows = await getSql().unsafe(
    `select ${columns.map((c) => `"${c}"`).join(", ")}, valid_from, valid_to, is_deleted from warehouse."${table}" order by id, valid_from, is_deleted`,
  );
  return rows.map((r) => [...columns.map((c) => r[c]), label(windows, r.valid_from), label(windows, r.valid_to), r.is_deleted]);
}

const succeeded = (b: ModelBuild) => expect({ status: b.status, error: b.error }).toEqual({ status: "succeeded", error: null });

describe("snapshot models: timestamp strategy", () => {
  const windows: Window[] = [];
  const cols = "id, name, updated_at";
  const ts = (day: string) => `timestamptz '${day} 00:00:00+00'`;
  const read = () => history(windows, "customers_history", ["id", "name"]);

  it("keeps every version by updated_at: changed, deleted, back again, and nothing for an identical build", async () => {
    await save({ name: "src_customers", sql: values(cols, [`(1, 'ann', ${ts("2024-01-01")})`]) });
    await save({
      name: "customers_history",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "timestamp", updatedAt: "updated_at" },
      sql: "select id, name, updated_at from {{ ref('src_customers') }}",
    });

    // 1. First build: every row current, from its own updated_at (as dbt).
    const first = [`(1, 'ann', ${ts("2024-01-01")})`, `(2, 'bob', ${ts("2024-01-02")})`, `(3, 'cy', ${ts("2024-01-03")})`];
    succeeded(await load(windows, "src_customers", cols, first, "customers_history"));
    expect(await read()).toEqual([
      [1, "ann", "2024-01-01", null, false],
      [2, "bob", "2024-01-02", null, false],
      [3, "cy", "2024-01-03", null, false],
    ]);

    // 2. 1 changed (updated_at moved on), 2 deleted, 3 renamed without moving updated_at (not a change).
    const second = [`(1, 'anne', ${ts("2024-02-01")})`, `(3, 'cyril', ${ts("2024-01-03")})`];
    succeeded(await load(windows, "src_customers", cols, second, "customers_history"));
    expect(await read()).toEqual([
      [1, "ann", "2024-01-01", "2024-02-01", false],
      [1, "anne", "2024-02-01", null, false],
      [2, "bob", "2024-01-02", "B2", false],
      [2, "bob", "B2", null, true],
      [3, "cy", "2024-01-03", null, false],
    ]);

    // 3. 2 is back (with its old updated_at): a new current version from the build.
    const third = [...second, `(2, 'bob', ${ts("2024-01-02")})`];
    succeeded(await load(windows, "src_customers", cols, third, "customers_history"));
    const afterThird = [
      [1, "ann", "2024-01-01", "2024-02-01", false],
      [1, "anne", "2024-02-01", null, false],
      [2, "bob", "2024-01-02", "B2", false],
      [2, "bob", "B2", "B3", true],
      [2, "bob", "B3", null, false],
      [3, "cy", "2024-01-03", null, false],
    ];
    expect(await read()).toEqual(afterThird);

    // 4. The same result again adds nothing and closes nothing.
    const fourth = await load(windows, "src_customers", cols, third, "customers_history");
    succeeded(fourth);
    expect(await read()).toEqual(afterThird);
    expect(fourth.rows).toBe(6);
  });

  it("refuses a missing updated_at column, a NULL one, and a unique key that is not unique, leaving the table as it was", async () => {
    const before = await read();
    await save({
      name: "customers_history",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "timestamp", updatedAt: "changed_at" },
      sql: "select id, name, updated_at from {{ ref('src_customers') }}",
    });
    const missing = await load(windows, "src_customers", cols, [`(1, 'anne', ${ts("2024-03-01")})`], "customers_history");
    expect(missing.status).toBe("failed");
    expect(missing.error!.message).toMatch(/updated_at column changed_at is not in the result of snapshot model customers_history/);

    await save({
      name: "customers_history",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "timestamp", updatedAt: "updated_at" },
      sql: "select id, name, updated_at from {{ ref('src_customers') }}",
    });
    const nullTime = await load(windows, "src_customers", cols, [`(1, 'anne', null::timestamptz)`], "customers_history");
    expect(nullTime.error!.message).toMatch(/updated_at column updated_at of snapshot model customers_history is NULL in 1 rows/);

    const twice = [`(1, 'anne', ${ts("2024-03-01")})`, `(1, 'anna', ${ts("2024-03-02")})`, `(3, 'cy', ${ts("2024-01-03")})`];
    const dup = await load(windows, "src_customers", cols, twice, "customers_history");
    expect(dup.status).toBe("failed");
    expect(dup.error!.message).toMatch(/unique key \(id\) of snapshot model customers_history is not unique: key 1 appears 2 times/);

    expect(await read()).toEqual(before);
  });
});

describe("snapshot models: check strategy", () => {
  const windows: Window[] = [];
  const cols = "id, name, country";
  const read = () => history(windows, "people_history", ["id", "name", "country"]);

  it("versions a row when any column differs (NULL-safe), marks deletions and brings keys back", async () => {
    await save({ name: "src_people", sql: values(cols, ["(1, 'ann', 'NO')"]) });
    await save({
      name: "people_history",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check" },
      sql: "select * from {{ ref('src_people') }}",
    });

    const first = ["(1, 'ann', 'NO')", "(2, 'bob', 'PE')", "(3, 'cy', null)"];
    succeeded(await load(windows, "src_people", cols, first, "people_history"));
    expect(await read()).toEqual([
      [1, "ann", "NO", "B1", null, false],
      [2, "bob", "PE", "B1", null, false],
      [3, "cy", null, "B1", null, false],
    ]);

    // 1 moved country, 2 is gone, 3 still has a NULL country (NULL = NULL: no change).
    const second = ["(1, 'ann', 'SE')", "(3, 'cy', null)"];
    succeeded(await load(windows, "src_people", cols, second, "people_history"));
    expect(await read()).toEqual([
      [1, "ann", "NO", "B1", "B2", false],
      [1, "ann", "SE", "B2", null, false],
      [2, "bob", "PE", "B1", "B2", false],
      [2, "bob", "PE", "B2", null, true],
      [3, "cy", null, "B1", null, false],
    ]);

    const third = [...second, "(2, 'bob', 'PE')"];
    succeeded(await load(windows, "src_people", cols, third, "people_history"));
    const afterThird = [
      [1, "ann", "NO", "B1", "B2", false],
      [1, "ann", "SE", "B2", null, false],
      [2, "bob", "PE", "B1", "B2", false],
      [2, "bob", "PE", "B2", "B3", true],
      [2, "bob", "PE", "B3", null, false],
      [3, "cy", null, "B1", null, false],
    ];
    expect(await read()).toEqual(afterThird);

    const fourth = await load(windows, "src_people", cols, third, "people_history");
    succeeded(fourth);
    expect(await read()).toEqual(afterThird);

    // A failed build (the key twice) changes nothing.
    const dup = await load(windows, "src_people", cols, [...third, "(3, 'cy', 'FI')"], "people_history");
    expect(dup.error!.message).toMatch(/key 3 appears 2 times/);
    expect(await read()).toEqual(afterThird);
  });

  it("compares only the listed columns when given", async () => {
    const w: Window[] = [];
    await save({ name: "src_listed", sql: values(cols, ["(1, 'ann', 'NO')"]) });
    await save({
      name: "listed_history",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check", columns: ["country"] },
      sql: "select * from {{ ref('src_listed') }}",
    });
    succeeded(await load(w, "src_listed", cols, ["(1, 'ann', 'NO')"], "listed_history"));
    succeeded(await load(w, "src_listed", cols, ["(1, 'anne', 'NO')"], "listed_history"));
    succeeded(await load(w, "src_listed", cols, ["(1, 'anne', 'DK')"], "listed_history"));
    expect(await history(w, "listed_history", ["id", "name", "country"])).toEqual([
      [1, "ann", "NO", "B1", "B3", false],
      [1, "anne", "DK", "B3", null, false],
    ]);
  });

  it("adds a column new to the model (NULL in older versions), and refuses a column whose type changed", async () => {
    const w: Window[] = [];
    await save({ name: "src_grow", sql: "select 1 as id, 'a' as v" });
    await save({
      name: "grow_history",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check" },
      sql: "select * from {{ ref('src_grow') }}",
    });
    succeeded(await load(w, "src_grow", "id, v", ["(1, 'a')", "(2, 'b')"], "grow_history"));
    succeeded(await load(w, "src_grow", "id, v, extra", ["(1, 'a', 'x')", "(2, 'b', null::text)"], "grow_history"));
    expect(await history(w, "grow_history", ["id", "v", "extra"])).toEqual([
      [1, "a", null, "B1", "B2", false],
      [1, "a", "x", "B2", null, false],
      [2, "b", null, "B1", null, false],
    ]);
    const retyped = await load(w, "src_grow", "id, v, extra", ["(1, 'a', 5)", "(2, 'b', null::int)"], "grow_history");
    expect(retyped.error!.message).toMatch(/keeps its columns' types: extra was text and is now integer/);
  });
});

describe("snapshot models: refusals and saving", () => {
  it("refuses a snapshot without a unique key or a strategy when saved, and the snapshot's own column names when built", async () => {
    const sql = "select 1 as id";
    await expect(save({ name: "no_key", materialization: "snapshot", snapshot: { strategy: "check" }, sql })).rejects.toThrow(
      /needs a unique key/,
    );
    await expect(save({ name: "no_rule", materialization: "snapshot", uniqueKey: ["id"], sql })).rejects.toThrow(/timestamp or check/);
    await save({
      name: "own_names",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check" },
      sql: "select 1 as id, now() as valid_from, false as is_deleted",
    });
    const { builds } = await buildModels({ names: ["own_names"] });
    expect(builds[0]!.error!.message).toMatch(
      /has a column named valid_from, is_deleted; the snapshot adds valid_from, valid_to and is_deleted itself/,
    );
    const [{ exists }] = await getSql()`select to_regclass('warehouse.own_names') is not null as exists`;
    expect(exists).toBe(false);
  });

  it("stores the rule with every revision and drops it when the model stops being a snapshot", async () => {
    const saved = await save({
      name: "rule_kept",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "timestamp", updatedAt: "at" },
      sql: "select 1 as id, now() as at",
    });
    expect(saved.snapshot).toEqual({ strategy: "timestamp", updatedAt: "at" });
    await save({ name: "rule_kept", materialization: "table", snapshot: { strategy: "check" }, sql: "select 1 as id" });
    expect((await getModelByName("rule_kept"))!.snapshot).toBeNull();
    const revisions = await listModelRevisions(saved.id);
    expect(revisions.map((r) => [r.revision, r.materialization, r.snapshot])).toEqual([
      [2, "table", null],
      [1, "snapshot", { strategy: "timestamp", updatedAt: "at" }],
    ]);
  });
});

describe("snapshot models: API and dbt projects", () => {
  it("PUT and GET /v1/models/{name} carry the rule; a PUT without it keeps the saved one", async () => {
    const { token } = await createApiToken(actor, { name: "snapshots", role: "editor" });
    const route = await import("@/app/v1/models/[name]/route");
    const call = async (method: "GET" | "PUT", body?: unknown) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body) headers["content-type"] = "application/json";
      const request = new Request("http://127.0.0.1:3000/v1/models/api_history", {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
      });
      const response = await route[method](request, { params: Promise.resolve({ name: "api_history" }) });
      return { status: response.status, json: await response.json() };
    };
    const sql = "select 1 as id, 'a' as status";
    const created = await call("PUT", {
      sql,
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check", columns: ["status"] },
    });
    expect(created.status).toBe(201);
    expect(created.json.model).toMatchObject({ materialization: "snapshot", snapshot: { strategy: "check", columns: ["status"] } });
    expect((await call("PUT", { sql: `${sql}, 2 as n` })).json.model.snapshot).toEqual({ strategy: "check", columns: ["status"] });
    expect((await call("GET")).json.model).toMatchObject({ uniqueKey: ["id"], snapshot: { strategy: "check", columns: ["status"] } });
    const refused = await call("PUT", { sql, materialization: "snapshot", uniqueKey: ["id"], snapshot: { strategy: "timestamp" } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toMatch(/updatedAt/);
  });

  it("exports snapshots as dbt snapshot blocks and imports them (and dbt's own) back", async () => {
    const { exportDbtProject, importDbtProject } = await import("@/lib/transform/dbt-interop");
    const { strFromU8, strToU8, unzipSync, zipSync } = await import("fflate");
    const files = unzipSync(await exportDbtProject());
    expect(strFromU8(files["snapshots/customers_history.sql"]!)).toBe(
      "{% snapshot customers_history %}\n{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}\n" +
        "select id, name, updated_at from {{ ref('src_customers') }}\n{% endsnapshot %}\n",
    );
    expect(files["models/customers_history.sql"]).toBeUndefined();
    expect(strFromU8(files["models/schema.yml"]!)).toMatch(/snapshots:\n {2}- name: api_history\n/);

    const before = await getModelByName("people_history");
    const again = await importDbtProject(zipSync(files), actor);
    expect(again.errors).toEqual([]);
    for (const name of ["customers_history", "people_history", "listed_history", "api_history"]) {
      const model = (await getModelByName(name))!;
      expect([name, model.materialization, model.uniqueKey]).toEqual([name, "snapshot", ["id"]]);
    }
    expect((await getModelByName("people_history"))!.snapshot).toEqual(before!.snapshot);
    expect((await getModelByName("listed_history"))!.snapshot).toEqual({ strategy: "check", columns: ["country"] });

    const dbt = zipSync({
      "proj/snapshots/orders.sql": strToU8(
        "{% snapshot orders_snap %}\n{{ config(target_schema='snapshots', unique_key='id', strategy='check', check_cols=['name']) }}\n" +
          "select * from {{ ref('src_people') }}\n{% endsnapshot %}\n",
      ),
      "proj/snapshots/schema.yml": strToU8(
        "snapshots:\n  - name: people_snap\n    relation: ref('src_people')\n    config:\n      unique_key: id\n      strategy: check\n      check_cols: all\n",
      ),
    });
    expect(await importDbtProject(dbt, actor)).toEqual({ imported: expect.arrayContaining(["orders_snap", "people_snap"]), errors: [] });
    expect(await getModelByName("orders_snap")).toMatchObject({
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check", columns: ["name"] },
    });
    expect(await getModelByName("people_snap")).toMatchObject({
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check" },
      sql: "select * from {{ ref('src_people') }}",
    });
  });
});
