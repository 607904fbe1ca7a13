import { Readable } from "node:stream";
import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { getDatasetById } from "@/db/queries/datasets";
import { listColumnStatsOfVersion } from "@/db/queries/dataset-stats";
import type { Dataset } from "@/db/schema/datasets";
import { createUser } from "@/lib/auth/users";
import { columnStatsFor } from "@/lib/datasets/column-stats";
import { readRowsPage } from "@/lib/datasets/rows";
import { UserError } from "@/lib/errors";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import { registerUploadedDataset, uploadDatasetVersion } from "@/lib/ingest/upload";
import { rowsView, viewFromParams, viewToParams, type RowsView } from "@/lib/validation/dataset-rows";

/** The dataset page's row browser against a real typed table: sorting, filters, paging, refusals, and the stats cache. */
const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
let actor: Awaited<ReturnType<typeof createUser>>;
let people: Dataset;

const CSV = [
  "id,name,amount,day,flag",
  "1,Alice,10.5,2024-01-03,true",
  "2,bob,,2024-02-01,false",
  "3,Carol 100%,-3,,true",
  "4,,7,2024-01-15,",
  "5,alice_b,10.5,2023-12-31,true",
  "6,Dan,2,2024-03-09,false",
].join("\n");

async function upload(name: string, csv: string): Promise<Dataset> {
  const { dataset, load } = await registerUploadedDataset({ name, fileName: `${name}.csv` }, Readable.from([csv]), actor);
  await runDatasetLoad(load.id, ctx);
  return (await getDatasetById(dataset.id))!;
}

const view = (input: Partial<RowsView> & Record<string, unknown> = {}) => rowsView.parse(input);
const ids = async (v: Partial<RowsView>) => (await readRowsPage(people, view(v))).rows.map((r) => r[0]);
const refusal = async (v: Partial<RowsView>) => {
  const err = await readRowsPage(people, view(v)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).message;
};

beforeAll(async () => {
  actor = await createUser({ email: "rows@example.com", password: "long enough pw", role: "editor" });
  people = await upload("rb_people", CSV);
  expect(people.status).toBe("ready");
}, 60_000);

describe("rows of a dataset", () => {
  it("types the columns as loaded, for the headers", async () => {
    const page = await readRowsPage(people, view());
    expect(page.columns.map((c) => [c.name, c.type])).toEqual([
      ["id", "bigint"],
      ["name", "text"],
      ["amount", "numeric"],
      ["day", "date"],
      ["flag", "boolean"],
    ]);
    expect(page.total).toBe(6);
    expect(page.rows[0]).toEqual(["1", "Alice", "10.5", "2024-01-03", "true"]);
  });

  it("sorts by any column both ways, NULLs last, ties in file order", async () => {
    expect(await ids({ sort: "amount", dir: "asc" })).toEqual(["3", "6", "4", "1", "5", "2"]);
    expect(await ids({ sort: "amount", dir: "desc" })).toEqual(["1", "5", "4", "6", "3", "2"]);
    expect(await ids({ sort: "day", dir: "desc" })).toEqual(["6", "2", "4", "1", "5", "3"]);

    // Text sorts by the database's collation; NULL still comes last.
    expect((await ids({ sort: "name", dir: "asc" })).at(-1)).toBe("4");
    expect((await ids({ sort: "name", dir: "desc" })).at(-1)).toBe("4");
    expect(await ids({ sort: "flag", dir: "asc" })).toEqual(["2", "6", "1", "3", "5", "4"]);
  });

  it("filters text by case-insensitive contains, with % and _ meaning themselves", async () => {
    expect(await ids({ filters: [{ column: "name", op: "contains", value: "ALI" }] })).toEqual(["1", "5"]);
    expect(await ids({ filters: [{ column: "name", op: "contains", value: "%" }] })).toEqual(["3"]);
    expect(await ids({ filters: [{ column: "name", op: "contains", value: "_" }] })).toEqual(["5"]);
    expect(await ids({ filters: [{ column: "name", op: "eq", value: "bob" }] })).toEqual(["2"]);
  });

  it("compares numbers and dates with =, <, > and between", async () => {
    expect(await ids({ filters: [{ column: "amount", op: "eq", value: "10.5" }] })).toEqual(["1", "5"]);
    expect(await ids({ filters: [{ column: "amount", op: "lt", value: "7" }] })).toEqual(["3", "6"]);
    expect(await ids({ filters: [{ column: "amount", op: "gt", value: "7" }] })).toEqual(["1", "5"]);
    expect(await ids({ filters: [{ column: "amount", op: "between", value: "2", value2: "7" }] })).toEqual(["4", "6"]);
    expect(await ids({ filters: [{ column: "id", op: "between", value: "2", value2: "3" }] })).toEqual(["2", "3"]);
    expect(await ids({ filters: [{ column: "day", op: "lt", value: "2024-01-10" }] })).toEqual(["1", "5"]);
    expect(await ids({ filters: [{ column: "day", op: "between", value: "2024-01-01", value2: "2024-02-01" }] })).toEqual(["1", "2", "4"]);
    expect(await ids({ filters: [{ column: "flag", op: "eq", value: "false" }] })).toEqual(["2", "6"]);
    expect(await ids({ filters: [{ column: "flag", op: "eq", value: "true" }] })).toEqual(["1", "3", "5"]);
  });

  it("finds empty cells in every type, and combines filters with and", async () => {
    expect(await ids({ filters: [{ column: "name", op: "empty" }] })).toEqual(["4"]);
    expect(await ids({ filters: [{ column: "amount", op: "empty" }] })).toEqual(["2"]);
    expect(await ids({ filters: [{ column: "day", op: "empty" }] })).toEqual(["3"]);
    expect(await ids({ filters: [{ column: "flag", op: "empty" }] })).toEqual(["4"]);
    expect(
      await ids({
        filters: [
          { column: "flag", op: "eq", value: "true" },
          { column: "amount", op: "gt", value: "0" },
        ],
      }),
    ).toEqual(["1", "5"]);
  });

  it("pages with the total of the filtered rows, and serves the last page for one past the end", async () => {
    const second = await readRowsPage(people, view({ size: 25, page: 1 }));
    expect(second).toMatchObject({ total: 6, page: 1, pageCount: 1 });
    const big = await upload(
      "rb_many",
      ["n,parity", ...Array.from({ length: 60 }, (_, i) => `${i + 1},${i % 2 ? "odd" : "even"}`)].join("\n"),
    );
    const page2 = await readRowsPage(big, view({ size: 25, page: 2 }));
    expect(page2).toMatchObject({ total: 60, page: 2, pageCount: 3 });
    expect(page2.rows.map((r) => r[0])).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 26)));
    const filtered = await readRowsPage(big, view({ size: 25, page: 2, filters: [{ column: "parity", op: "eq", value: "odd" }] }));
    expect(filtered).toMatchObject({ total: 30, page: 2, pageCount: 2 });
    expect(filtered.rows.map((r) => r[0])).toEqual(["52", "54", "56", "58", "60"]);
    const past = await readRowsPage(big, view({ size: 25, page: 99, sort: "n", dir: "desc" }));
    expect(past).toMatchObject({ page: 3, pageCount: 3 });
    expect(past.rows.map((r) => r[0])).toEqual(Array.from({ length: 10 }, (_, i) => String(10 - i)));
    expect(() => view({ size: 10001 })).toThrow(/Page size must be one of/);
    expect(view({ size: 10000 }).size).toBe(10000);
  });

  it("cuts a very long value on the page and marks the cut", async () => {
    const long = "x".repeat(5_000);
    const wide = await upload("rb_long", ["id,note", `1,${long}`, "2,short"].join("\n"));
    const rows = (await readRowsPage(wide, view({ size: 25 }))).rows;
    expect(rows[0]![1]).toBe(`${"x".repeat(2_000)}…`);
    expect(rows[1]![1]).toBe("short");
  });

  it("reads timestamps in UTC whatever the session's time zone", async () => {
    const times = await upload("rb_times", ["id,at", "1,2024-01-01T10:00:00Z", "2,2024-01-01T12:00:00Z"].join("\n"));
    const database = `"${(await getSql()`select current_database() as d`)[0]!.d}"`;
    // The app pool's sessions follow the database's time zone; the page must not.
    await getSql().unsafe(`alter database ${database} set timezone = 'Asia/Kathmandu'`);
    try {
      await closeDb(); // new sessions take the setting
      expect((await getSql()`show timezone`)[0]!.TimeZone).toBe("Asia/Kathmandu");
      const page = await readRowsPage(times, view({ size: 25, filters: [{ column: "at", op: "lt", value: "2024-01-01 11:00:00" }] }));
      expect(page.rows.map((r) => r[0])).toEqual(["1"]);
      expect(page.rows[0]![1]).toBe("2024-01-01 10:00:00+00");
    } finally {
      await getSql().unsafe(`alter database ${database} reset timezone`);
      await closeDb();
    }
  });

  it("refuses an unknown column, a value of the wrong type and an operator the type does not have, saying what is wrong", async () => {
    expect(await refusal({ sort: "nope" })).toBe('This dataset has no column named "nope".');
    expect(await refusal({ filters: [{ column: "nope", op: "eq", value: "1" }] })).toMatch(/no column named "nope"/);
    expect(await refusal({ filters: [{ column: "amount", op: "eq", value: "ten" }] })).toBe('"ten" is not a number (column "amount").');
    expect(await refusal({ filters: [{ column: "id", op: "eq", value: "1.5" }] })).toMatch(/not a whole number/);
    expect(await refusal({ filters: [{ column: "day", op: "gt", value: "2024-02-30" }] })).toMatch(/not a date as YYYY-MM-DD/);
    expect(await refusal({ filters: [{ column: "amount", op: "between", value: "1" }] })).toMatch(/A value is needed/);
    expect(await refusal({ filters: [{ column: "name", op: "lt", value: "b" }] })).toMatch(/does not apply to column "name" \(text\)/);
    expect(() => view({ dir: "sideways" as never })).toThrow();
  });

  it("treats SQL in a column name or a value as data", async () => {
    const before = await getSql()`select count(*)::int as n from warehouse.rb_people`;
    for (const name of ['id"; drop table warehouse.rb_people; --', "id desc, (select pg_sleep(5))", "id) or (1=1"]) {
      expect(await refusal({ sort: name })).toMatch(/no column named/);
      expect(await refusal({ filters: [{ column: name, op: "empty" }] })).toMatch(/no column named/);
    }
    expect(await ids({ filters: [{ column: "name", op: "contains", value: "' or '1'='1" }] })).toEqual([]);
    expect(await ids({ filters: [{ column: "name", op: "eq", value: "x'); drop table warehouse.rb_people; --" }] })).toEqual([]);
    expect(await refusal({ filters: [{ column: "amount", op: "eq", value: "1 or 1=1" }] })).toMatch(/not a number/);
    const after = await getSql()`select count(*)::int as n from warehouse.rb_people`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it("round-trips a view through the URL", () => {
    const v = view({
      sort: "day",
      dir: "desc",
      page: 3,
      size: 1000,
      filters: [
        { column: "name", op: "contains", value: "a:b..c" },
        { column: "amount", op: "between", value: "1.5", value2: "2.5" },
        { column: "day", op: "empty" },
      ],
    });
    const params = viewToParams(v);
    expect(rowsView.parse(viewFromParams(new URLSearchParams(params.toString())))).toEqual(v);
    expect(viewToParams(view()).toString()).toBe("");
  });
});

describe("a version loaded while a page is read", () => {
  it("answers 409 saying to reload, not a server error, when the table lost a column the dataset record still lists", async () => {
    // The dataset as read just before a load replaced the table: it names a column the table no longer has.
    const stale = {
      ...people,
      columns: [...people.columns, { ...people.columns[0]!, name: "dropped_meanwhile", header: "dropped_meanwhile" }],
    };
    for (const read of [() => readRowsPage(stale, view()), () => columnStatsFor({ ...stale, lastLoadedAt: new Date() })]) {
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).status).toBe(409);
      expect((err as UserError).message).toMatch(/new version of this dataset was loaded.*Reload the page/);
    }
    // The dataset as it is still reads.
    expect((await readRowsPage(people, view())).rows.length).toBe(6);
  });
});

describe("column stats", () => {
  it("profiles every column in SQL, once per version, and again for a new version", async () => {
    const stats = (await columnStatsFor(people))!;
    const byName = Object.fromEntries(stats.columns.map((c) => [c.name, c]));
    expect(stats.rowCount).toBe(6);
    expect(byName.id).toEqual({ name: "id", nulls: 0, distinct: 6, min: "1", max: "6" });
    expect(byName.amount).toEqual({ name: "amount", nulls: 1, distinct: 4, min: "-3", max: "10.5" });
    expect(byName.day).toEqual({ name: "day", nulls: 1, distinct: 5, min: "2023-12-31", max: "2024-03-09" });
    expect(byName.flag).toEqual({ name: "flag", nulls: 1, distinct: 2, min: "false", max: "true" });
    expect(byName.name).toMatchObject({ nulls: 1, distinct: 5 });

    const [stored] = await listColumnStatsOfVersion(people.currentVersionId!);
    expect(stored!.columns).toEqual(stats.columns);
    // The second request reads the cache: the stored row is the one served, not recomputed.
    await getSql()`update relayboard.dataset_column_stats set duration_ms = 424242 where version_id = ${people.currentVersionId!}`;
    const again = (await columnStatsFor(people))!;
    expect(again.durationMs).toBe(424242);
    expect(again.computedAt).toBe(stored!.computedAt.toISOString());
    expect(await listColumnStatsOfVersion(people.currentVersionId!)).toHaveLength(1);

    const { load } = await uploadDatasetVersion(people.id, Readable.from([`${CSV}\n7,Eve,100,2025-01-01,true\n`]), actor, "v2.csv");
    await runDatasetLoad(load!.id, ctx);
    const v2 = (await getDatasetById(people.id))!;
    expect(v2.currentVersionId).not.toBe(people.currentVersionId);
    const fresh = (await columnStatsFor(v2))!;
    expect(fresh.versionId).toBe(v2.currentVersionId);
    expect(fresh.rowCount).toBe(7);
    expect(fresh.columns.find((c) => c.name === "amount")).toMatchObject({ max: "100", distinct: 5 });
    expect(fresh.durationMs).not.toBe(424242);
    expect(await listColumnStatsOfVersion(v2.currentVersionId!)).toHaveLength(1);
    people = v2;
  });

  it("shares one scan between requests that arrive together", async () => {
    const d = await upload("rb_together", "a,b\n1,x\n2,y\n");
    const [one, two] = await Promise.all([columnStatsFor(d), columnStatsFor(d)]);
    expect(one).toEqual(two);
    expect(await listColumnStatsOfVersion(d.currentVersionId!)).toHaveLength(1);
  });
});
