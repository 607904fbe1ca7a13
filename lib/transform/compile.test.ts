import { describe, expect, it } from "vitest";
import { compileModel, CompileError } from "@/lib/transform/compile";
import { CycleError, downstreamOf, topologicalOrder } from "@/lib/transform/dag";

const catalog = { models: new Set(["orders_clean", "daily_revenue"]), datasets: new Set(["orders", "customers"]) };
const compile = (sql: string, isIncremental = false) => compileModel(sql, { modelName: "report", catalog, isIncremental });

async function compileError(sql: string): Promise<CompileError> {
  const err = await compile(sql).catch((e) => e);
  expect(err).toBeInstanceOf(CompileError);
  return err as CompileError;
}

describe("compileModel", () => {
  it("resolves ref() to the warehouse and source() to staging, quoting names", async () => {
    const out = await compile("select o.id, c.name\nfrom {{ ref('orders_clean') }} o\njoin {{ source(\"customers\") }} c using (id)");
    expect(out.sql).toContain('from warehouse."orders_clean" o');
    expect(out.sql).toContain('join staging."customers" c');
    expect(out.refs).toEqual(["orders_clean"]);
    expect(out.sources).toEqual(["customers"]);
  });

  it("refs a dataset's typed table by the dataset's name", async () => {
    expect((await compile("select * from {{ ref('orders') }}")).sql).toBe('select * from warehouse."orders"');
  });

  it("names an unknown ref with the closest existing name and where it is", async () => {
    const err = await compileError("select *\nfrom {{ ref('order_clean') }}");
    expect(err.message).toMatch(/Unknown ref 'order_clean'; did you mean 'orders_clean'\?/);
    expect([err.line, err.column]).toEqual([2, 6]);
  });

  it("refuses more than one statement, DDL and DML", async () => {
    expect((await compileError("select 1; select 2")).message).toMatch(/one SELECT statement; this has 2/);
    expect((await compileError("drop table warehouse.x")).message).toMatch(/must be a SELECT.*DROP/);
    expect((await compileError("create table t as select 1")).message).toMatch(/CREATE TABLE AS/);
    expect((await compileError("delete from staging.orders")).message).toMatch(/DELETE/);
    expect((await compileError("with gone as (delete from staging.orders returning *) select * from gone")).message).toMatch(
      /only reads data; DELETE/,
    );
    expect((await compileError("select 1 into newtable")).message).toMatch(/INTO/);
    expect((await compileError("select set_config('role', 'postgres', true)")).message).toMatch(/set_config\(\) is not allowed/);
  });

  it("reports SQL syntax errors at their line and column in the user's text", async () => {
    const err = await compileError("select id,\n       name\n  frm {{ ref('orders') }}");
    expect(err.message).toMatch(/Syntax error at or near/);
    // "frm" is read as an alias, so the parser stops at the ref after it: line 3, column 7.
    expect([err.line, err.column]).toEqual([3, 7]);
  });

  it("places a missing comma's error at the name after the pair and says a comma may be missing", async () => {
    const err = await compileError("select a b c\nfrom {{ ref('orders') }}");
    expect(err.message).toMatch(/^Syntax error at or near "c"; is a comma missing\? "a b" reads as the column a renamed to b/);
    expect([err.line, err.column]).toEqual([1, 12]);
    const multi = await compileError("select\n  id\n  region name,\n  amount\nfrom {{ ref('orders') }}");
    expect(multi.message).toMatch(/near "name"; is a comma missing\? "id region"/);
    expect([multi.line, multi.column]).toEqual([3, 10]);
    // Keywords before the error are no sign of a missing comma.
    expect((await compileError("select id from from {{ ref('orders') }}")).message).not.toMatch(/comma/);
  });

  it("keeps or drops the incremental block", async () => {
    const sql = "select * from {{ ref('orders') }}\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}";
    expect((await compile(sql)).sql).toBe('select * from warehouse."orders"');
    expect((await compile(sql, true)).sql).toBe('select * from warehouse."orders"\nwhere id > (select max(id) from warehouse."report")');
    expect((await compileError("select 1 {% if is_incremental() %}")).message).toMatch(/never closed/);
    expect((await compileError("select {{ env_var('X') }}")).message).toMatch(/Unsupported expression/);
  });
});

describe("DAG", () => {
  const graph = [
    { name: "c", dependsOn: ["b"] },
    { name: "b", dependsOn: ["a", "orders"] },
    { name: "a", dependsOn: ["orders"] },
    { name: "d", dependsOn: ["a"] },
  ];

  it("orders dependencies first", () => {
    const order = topologicalOrder(graph);
    expect(order.indexOf("a")).toBeLessThan(order.indexOf("b"));
    expect(order.indexOf("b")).toBeLessThan(order.indexOf("c"));
    expect(order.indexOf("a")).toBeLessThan(order.indexOf("d"));
  });

  it("names the models on a cycle", () => {
    const cyclic = [
      { name: "a", dependsOn: ["c", "orders"] },
      { name: "b", dependsOn: ["a"] },
      { name: "c", dependsOn: ["b"] },
      { name: "d", dependsOn: ["a"] },
    ];
    let err: unknown;
    try {
      topologicalOrder(cyclic);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CycleError);
    expect((err as CycleError).cycle).toEqual(["a", "c", "b", "a"]);
    expect((err as Error).message).toBe("Models form a cycle: a → c → b → a");
  });

  it("finds everything downstream", () => {
    expect([...downstreamOf(graph, ["a"])].sort()).toEqual(["b", "c", "d"]);
    expect([...downstreamOf(graph, ["orders"])].sort()).toEqual(["a", "b", "c", "d"]);
  });
});
