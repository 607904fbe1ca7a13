import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { closeDb, getSql } from "@/db";
import { listModelRevisions } from "@/db/queries/models";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset, requestDatasetLoad } from "@/lib/ingest/register";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import { buildModels } from "@/lib/transform/build";
import { removeModel, restoreModelRevision, saveModel } from "@/lib/transform/models";
import { previewModel } from "@/lib/transform/preview";
import { inSandbox } from "@/lib/transform/sandbox";
import type { ModelInput } from "@/lib/validation/models";
import { startCsvHost } from "./helpers/csv-host";

let host: Awaited<ReturnType<typeof startCsvHost>>;
let actor: { id: string };
const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };

async function loadDataset(name: string, csv: string) {
  host.files.set(`/${name}.csv`, { body: csv });
  const { dataset, load } = await registerUrlDataset({ name, csvUrl: host.url(`/${name}.csv`) }, actor);
  await runDatasetLoad(load.id, ctx);
  return dataset;
}

async function reloadDataset(datasetId: string, name: string, csv: string) {
  host.files.set(`/${name}.csv`, { body: csv });
  const load = await requestDatasetLoad(datasetId, {}, actor);
  await runDatasetLoad(load.id, ctx);
}

const save = (m: ModelInput) => saveModel(m, actor);

beforeAll(async () => {
  host = await startCsvHost();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port}`;
  resetEnvForTests();
  actor = await createUser({ email: "modeler@example.com", password: "long enough pw", role: "editor" });
  await loadDataset("shop_orders", "id,customer,amount,status\n1,ann,10.5,paid\n2,bob,20,paid\n3,ann,5,refunded\n4,cy,7.25,paid\n");
  await loadDataset("shop_customers", "name,country\nann,NO\nbob,PE\n");
});

afterAll(async () => {
  await host.close();
  await closeDb();
});

describe("saving models", () => {
  it("refuses unknown refs with a suggestion, DDL, several statements and cycles, naming where", async () => {
    await expect(save({ name: "m_bad_ref", sql: "select * from {{ ref('shop_order') }}" })).rejects.toThrow(/did you mean 'shop_orders'/);
    await expect(save({ name: "m_ddl", sql: "drop table warehouse.shop_orders" })).rejects.toThrow(/must be a SELECT/);
    await expect(save({ name: "m_two", sql: "select 1;\nselect 2" })).rejects.toThrow(/2 statements.*line 2/);
    await expect(save({ name: "m_syntax", sql: "select id,\n  amount +\nfrom {{ ref('shop_orders') }}" })).rejects.toThrow(
      /line 3, column 1/,
    );
    await save({ name: "cyc_a", sql: "select 1 as x" });
    await save({ name: "cyc_b", sql: "select * from {{ ref('cyc_a') }}" });
    await expect(save({ name: "cyc_a", sql: "select * from {{ ref('cyc_b') }}" })).rejects.toThrow(
      /cycle: cyc_a → cyc_b → cyc_a|cycle: cyc_b → cyc_a → cyc_b/,
    );
    await expect(save({ name: "shop_orders", sql: "select 1" })).rejects.toThrow(/dataset named shop_orders/);
  });

  it("keeps every save as a revision and restores an earlier one", async () => {
    await save({ name: "rev_model", sql: "select 1 as v" });
    await save({ name: "rev_model", sql: "select 2 as v" });
    const restored = await restoreModelRevision("rev_model", 1, actor);
    expect(restored.sql).toBe("select 1 as v");
    expect(restored.revision).toBe(3);
    const revisions = await listModelRevisions(restored.id);
    expect(revisions.map((r) => [r.revision, r.sql])).toEqual([
      [3, "select 1 as v"],
      [2, "select 2 as v"],
      [1, "select 1 as v"],
    ]);
  });
});

describe("building", () => {
  it("builds in dependency order; a failure skips descendants and keeps upstream", async () => {
    await save({
      name: "paid_orders",
      materialization: "table",
      sql: "select id, customer, amount from {{ ref('shop_orders') }} where status = 'paid'",
    });
    await save({
      name: "revenue_by_customer",
      sql: "select customer, sum(amount) as revenue from {{ ref('paid_orders') }} group by customer",
    });
    await save({ name: "top_customer", sql: "select * from {{ ref('revenue_by_customer') }} order by revenue desc limit 1" });
    const first = await buildModels({ names: ["paid_orders"], withDownstream: true });
    expect(first.builds.map((b) => [b.modelName, b.status])).toEqual([
      ["paid_orders", "succeeded"],
      ["revenue_by_customer", "succeeded"],
      ["top_customer", "succeeded"],
    ]);
    expect(first.builds[0]!.rows).toBe(3);
    const [top] = await getSql()`select customer, revenue::text from warehouse.top_customer`;
    expect(top).toEqual({ customer: "bob", revenue: "20" });

    // Break the middle model: its descendant is skipped, the upstream table stays.
    await getSql()`update relayboard.models set materialization = 'table', sql = 'select customer, sum(amount) / 0 as revenue from {{ ref(''paid_orders'') }} group by customer' where name = 'revenue_by_customer'`;
    const second = await buildModels({ names: ["paid_orders"], withDownstream: true });
    expect(second.builds.map((b) => [b.modelName, b.status])).toEqual([
      ["paid_orders", "succeeded"],
      ["revenue_by_customer", "failed"],
      ["top_customer", "skipped"],
    ]);
    expect(second.builds[1]!.error?.message).toMatch(/division by zero/);
    expect(second.builds[2]!.skippedBecause).toBe("upstream revenue_by_customer failed");
    const [{ n }] = await getSql()`select count(*)::int as n from warehouse.paid_orders`;
    expect(n).toBe(3);
  });

  it("swaps tables atomically: a concurrent reader sees the old or the new table, never none", async () => {
    await save({ name: "swap_me", materialization: "table", sql: "select g as n from generate_series(1, 20000) g" });
    await buildModels({ names: ["swap_me"] });
    let stop = false;
    const counts: number[] = [];
    const errors: string[] = [];
    const reader = (async () => {
      const deadline = Date.now() + 20_000;
      while (!stop && Date.now() < deadline) {
        try {
          const [{ c }] = await getSql()`select count(*)::int as c from warehouse.swap_me`;
          counts.push(c);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    })();
    for (let i = 0; i < 5; i++) {
      await saveModel(
        { name: "swap_me", materialization: "table", sql: `select g as n from generate_series(1, ${20000 + i + 1}) g` },
        actor,
      );
      const { builds } = await buildModels({ names: ["swap_me"] });
      expect(builds[0]!.status).toBe("succeeded");
    }
    stop = true;
    await reader;
    expect(errors).toEqual([]);
    expect(counts.length).toBeGreaterThan(5);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(20000);
  });

  it("merges incremental models on their unique key", async () => {
    const events = await loadDataset("shop_events", "id,kind\n1,view\n2,view\n");
    await save({
      name: "events_inc",
      materialization: "incremental",
      uniqueKey: ["id"],
      sql: "select id, kind, 'run' as src from {{ ref('shop_events') }}\n{% if is_incremental() %}where id >= (select max(id) from {{ this }}){% endif %}",
    });
    await buildModels({ names: ["events_inc"] });
    await reloadDataset(events.id, "shop_events", "id,kind\n2,click\n3,buy\n");
    const { builds } = await buildModels({ names: ["events_inc"] });
    expect(builds[0]!.compiledSql).toContain("where id >=");
    const rows = await getSql()`select id::int, kind from warehouse.events_inc order by id`;
    expect(rows.map((r) => [r.id, r.kind])).toEqual([
      [1, "view"],
      [2, "click"],
      [3, "buy"],
    ]);
  });

  it("rebuilds views on a dataset after it is reloaded", async () => {
    const ds = await loadDataset("view_base", "k,v\na,1\n");
    await save({ name: "view_on_base", sql: "select k, v from {{ ref('view_base') }}" });
    await save({ name: "view_on_source", sql: "select k from {{ source('view_base') }}" });
    await buildModels({ names: ["view_on_base", "view_on_source"] });
    await reloadDataset(ds.id, "view_base", "k,v\na,1\nb,2\n");
    const [{ n }] = await getSql()`select count(*)::int as n from warehouse.view_on_base`;
    const [{ m }] = await getSql()`select count(*)::int as m from warehouse.view_on_source`;
    expect([n, m]).toEqual([2, 2]);
  });

  it("previews the first rows read-only", async () => {
    const preview = await previewModel("scratch", "select customer, amount from {{ ref('shop_orders') }} order by id");
    expect(preview.columns).toEqual(["customer", "amount"]);
    expect(preview.rows[0]).toEqual(["ann", "10.5"]);
    await expect(removeModel("paid_orders")).rejects.toThrow(/used by revenue_by_customer/);
  });
});

describe("data tests", () => {
  it("pass and fail on crafted data, recording failing rows", async () => {
    await loadDataset("dt_parent", "code\nA\nB\n");
    await loadDataset("dt_child", "id,code,tier\n1,A,gold\n2,B,silver\n2,C,bronze\n4,,gold\n");
    const tests: ModelInput["tests"] = [
      { type: "not_null", column: "id" },
      { type: "not_null", column: "code" },
      { type: "unique", column: "id", severity: "warn" },
      { type: "accepted_values", column: "tier", values: ["gold", "silver"], error_if: ">1" },
      { type: "relationships", column: "code", to: "dt_parent", field: "code", error_if: ">=1", warn_if: ">5" },
      { type: "row_count", min: 1, max: 10 },
      { type: "row_count", min: 10, severity: "warn" },
      {
        type: "custom_sql",
        name: "no_negative_ids",
        sql: "select * from {{ ref('dt_child') }} where id < 0",
        severity: "warn",
        warn_if: ">0",
      },
    ];
    await save({ name: "dt_model", materialization: "table", sql: "select * from {{ ref('dt_child') }}", tests });
    const { builds } = await buildModels({ names: ["dt_model"] });
    const results = Object.fromEntries(builds[0]!.testResults.map((r) => [r.name, [r.status, r.failingRows]]));
    expect(results).toEqual({
      "not_null(id)": ["passed", 0],
      "not_null(code)": ["failed", 1],
      "unique(id)": ["warned", 1],
      "accepted_values(tier)": ["warned", 1],
      "relationships(code → dt_parent.code)": ["failed", 1],
      "row_count(1..10)": ["passed", 0],
      "row_count(10..…)": ["warned", 1],
      no_negative_ids: ["passed", 0],
    });
    const accepted = builds[0]!.testResults.find((r) => r.type === "accepted_values")!;
    expect(accepted.sample).toEqual([expect.objectContaining({ id: "2", code: "C", tier: "bronze" })]);
  });
});

describe("the sandbox", () => {
  const denied = async (sql: string) => {
    const err = await inSandbox((tx) => tx.unsafe(sql)).catch((e) => e);
    expect(err, sql).toBeInstanceOf(Error);
    return (err as Error).message;
  };

  it("cannot read the app's tables, files or other servers", async () => {
    expect(await denied("select * from relayboard.users")).toMatch(/permission denied/);
    expect(await denied("select * from relayboard.dataset_versions")).toMatch(/permission denied/);
    expect(await denied("select * from pgboss.job")).toMatch(/permission denied/);
    expect(await denied("select pg_read_file('/etc/passwd')")).toMatch(/permission denied/);
    expect(await denied("copy (select 1) to program 'true'")).toMatch(/permission denied|must be superuser|pg_execute_server_program/);
    expect(await denied("select dblink_connect('host=127.0.0.1')")).toMatch(/does not exist/);
  });

  it("can read staging and write the warehouse", async () => {
    const rows = await inSandbox((tx) => tx`select count(*)::int as n from staging.shop_orders`);
    expect(rows[0]!.n).toBe(4);
    await inSandbox((tx) => tx.unsafe("create table warehouse.sandbox_scratch as select 1 as x"));
    await getSql().unsafe("drop table warehouse.sandbox_scratch");
  });

  it("stops a query that runs past the timeout", async () => {
    const err = await inSandbox((tx) => tx.unsafe("select count(*) from generate_series(1, 100000000000::bigint)"), {
      timeoutMs: 300,
    }).catch((e) => e);
    expect(err.code).toBe("57014");
  });

  it("keeps model SQL from reaching outside through functions", async () => {
    await expect(save({ name: "m_read_file", sql: "select pg_read_file('/etc/passwd') as x" })).rejects.toThrow(/not allowed/);
    // Resetting the role would leave the sandbox: set_config and SQL-running functions are refused.
    await expect(save({ name: "m_reset_role", sql: "select set_config('role', 'none', true)" })).rejects.toThrow(/not allowed/);
    await expect(
      save({ name: "m_query_xml", sql: "select query_to_xml('select * from relayboard.users', true, false, '')" }),
    ).rejects.toThrow(/not allowed/);
    await expect(save({ name: "m_users", sql: "select * from relayboard.users" })).resolves.toBeTruthy();
    const { builds } = await buildModels({ names: ["m_users"] });
    expect(builds[0]!.status).toBe("failed");
    expect(builds[0]!.error?.message).toMatch(/Permission denied/);
  });
});

describe("dbt interop", () => {
  it("exports a dbt folder and imports it back to the same models and tests", async () => {
    const { exportDbtProject, importDbtProject } = await import("@/lib/transform/dbt-interop");
    const { listModels } = await import("@/db/queries/models");
    const { unzipSync, strFromU8 } = await import("fflate");
    const before = (await listModels()).map(({ name, sql, description, materialization, uniqueKey, columnDescriptions, tests }) => ({
      name,
      sql,
      description,
      materialization,
      uniqueKey,
      columnDescriptions,
      tests,
    }));
    expect(before.length).toBeGreaterThan(5);
    const zip = await exportDbtProject();
    const files = unzipSync(zip);
    expect(Object.keys(files)).toContain("models/schema.yml");
    expect(Object.keys(files)).toContain("models/dt_model.sql");
    expect(Object.keys(files)).toContain("tests/dt_model__no_negative_ids.sql");
    expect(strFromU8(files["models/schema.yml"]!)).toMatch(/accepted_values/);
    // dbt's own spelling of a test's config, so dbt reads the severities too.
    expect(strFromU8(files["models/schema.yml"]!)).toMatch(/- unique:\n\s+config:\n\s+severity: warn/);
    expect(strFromU8(files["tests/dt_model__no_negative_ids.sql"]!)).toMatch(/^\{\{ config\(severity='warn', warn_if='>0'\) \}\}\n/);

    // Empty the project, then import the zip.
    await getSql()`delete from relayboard.models`;
    const result = await importDbtProject(zip, actor);
    expect(result.errors).toEqual([]);
    const after = (await listModels()).map(({ name, sql, description, materialization, uniqueKey, columnDescriptions, tests }) => ({
      name,
      sql,
      description,
      materialization,
      uniqueKey,
      columnDescriptions,
      tests,
    }));
    const normalize = (ms: typeof before) =>
      ms.map((m) => ({ ...m, sql: m.sql.trim(), tests: [...m.tests].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }));
    expect(normalize(after)).toEqual(normalize(before));
  });

  it("reads dbt's config() header and reports broken models one by one", async () => {
    const { importDbtProject } = await import("@/lib/transform/dbt-interop");
    const { zipSync, strToU8 } = await import("fflate");
    const zip = zipSync({
      "proj/models/staging/inc_orders.sql": strToU8(
        "{{ config(materialized='incremental', unique_key='id') }}\nselect id, amount from {{ ref('shop_orders') }}",
      ),
      "proj/models/broken.sql": strToU8("select * from {{ ref('nope_nothing') }}"),
    });
    const result = await importDbtProject(zip, actor);
    expect(result.imported).toEqual(["inc_orders"]);
    expect(result.errors).toEqual([{ model: "broken", message: expect.stringMatching(/Unknown ref 'nope_nothing'/) }]);
    const { getModelByName } = await import("@/db/queries/models");
    expect(await getModelByName("inc_orders")).toMatchObject({ materialization: "incremental", uniqueKey: ["id"] });
  });
});
