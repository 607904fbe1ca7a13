import zlib from "node:zlib";
import iconv from "iconv-lite";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { closeDb, getSql } from "@/db";
import { getDatasetLoad } from "@/db/queries/datasets";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import { loadIntoScratchTable, type StagingLoadResult } from "@/lib/ingest/load-staging";
import type { DatasetOptions } from "@/db/schema/datasets";
import { startCsvHost } from "./helpers/csv-host";
import { createRng } from "@/bench/generate-csv";

/**
 * The fast path (raw bytes into COPY … FORMAT csv, lib/ingest/load-fast.ts) must load exactly
 * what the exact parser loads, or hand the file over. Generated files full of the awkward parts
 * of CSV are loaded both ways into PostgreSQL and compared row by row.
 */

const OPTIONS: DatasetOptions = { header: true, loadMode: "replace", types: "infer", badRows: { mode: "fail" } } as DatasetOptions;

let host: Awaited<ReturnType<typeof startCsvHost>>;
let actor: { id: string };

beforeAll(async () => {
  host = await startCsvHost();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port}`;
  resetEnvForTests();
  actor = await createUser({ email: "fast@example.com", password: "long enough pw", role: "editor" });
});

afterAll(async () => {
  await host.close();
  await closeDb();
});

const VALUES = [
  "1",
  "-42",
  "00501",
  "3.14",
  "1e5",
  "",
  "true",
  "F",
  "2024-02-29",
  "2024-02-30",
  "2023-01-01 10:00:00",
  "2023-01-01T10:00:00+02:00",
  "plain",
  "é ü 日本 🎉",
  " spaced ",
  "\\N",
  "\\.",
  "NULL",
  "9223372036854775808",
];
const QUOTED = ['"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\r\nlf"', '""', '"12"', '"\\."', '"é,ü"'];

function generate(rand: () => number, delimiter: string): string {
  const cols = 1 + Math.floor(rand() * 5);
  const eol = ["\n", "\r\n", "\r"][Math.floor(rand() * 3)]!;
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const header = Array.from({ length: cols }, (_, i) => (rand() < 0.2 ? `"col ${i}${delimiter}x"` : `c${i}`)).join(delimiter);
  const lines = [header];
  const rows = Math.floor(rand() * 30);
  for (let r = 0; r < rows; r++) {
    const fields = Array.from({ length: cols }, () => {
      const v = rand() < 0.25 ? pick(QUOTED) : pick(VALUES);
      return v.includes(delimiter) && !v.startsWith('"') ? `"${v}"` : v;
    });
    // Now and then something only the exact parser can judge: a quote inside an unquoted
    // field, text after a closing quote, a missing field.
    const odd = rand();
    if (odd < 0.01) fields[0] = `5'11"`;
    else if (odd < 0.015) fields[0] = '"x"y';
    else if (odd < 0.02 && cols > 1) fields.pop();
    lines.push(fields.join(delimiter));
    if (rand() < 0.05) lines.push(""); // a blank line
  }
  // Now and then a different line ending somewhere, and a missing final terminator.
  let text = lines
    .map((l, i) => l + (rand() < 0.1 ? pick(["\n", "\r\n", "\r"]) : i === lines.length - 1 && rand() < 0.3 ? "" : eol))
    .join("");
  if (cols === 1) text = text.replace(/(^|[\r\n])(?=[\r\n])/g, "$1x"); // one column: a blank line would be a NULL row
  return text;
}

async function loadWith(
  parser: "auto" | "exact",
  table: string,
  csv: string | Buffer,
  delimiter?: string,
  extra: Partial<DatasetOptions> = {},
  chunkBytes?: number,
) {
  const sql = await getSql().reserve();
  const bytes = typeof csv === "string" ? Buffer.from(csv, "utf8") : csv;
  const chunks = chunkBytes
    ? Array.from({ length: Math.ceil(bytes.length / chunkBytes) }, (_, i) => bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes))
    : [bytes];
  let fellBack: string | null = null;
  try {
    const result: StagingLoadResult = await loadIntoScratchTable({
      sql,
      open: async () => Readable.from(chunks),
      table: `staging."${table}"`,
      versionNumber: 1,
      options: { ...OPTIONS, delimiter: delimiter as DatasetOptions["delimiter"], ...extra },
      overrides: new Map(),
      onProgress: () => {},
      maxBytes: 1e9,
      parser,
      onFallback: (reason) => (fellBack = reason),
    });
    const rows = await sql.unsafe(`select * from staging."${table}" order by _rb_line`);
    return { result, rows: rows.map(({ _rb_loaded_at: _t, ...rest }) => rest), fellBack };
  } finally {
    sql.release();
  }
}

describe("fast path vs exact parser", () => {
  it("loads generated awkward files to the same rows, line numbers and types", async () => {
    const rand = createRng(20261128); // the same files on every run
    let fast = 0;
    let handedOver = 0;
    for (let i = 0; i < 60; i++) {
      const delimiter = [",", ";", "\t", "|"][i % 4]!;
      const csv = generate(rand, delimiter);
      const exact = await loadWith("exact", `ex_${i}`, csv, delimiter).catch((err: Error) => ({ error: err.message }));
      const auto = await loadWith("auto", `fa_${i}`, csv, delimiter).catch((err: Error) => ({ error: err.message }));
      const label = `file ${i}: ${JSON.stringify(csv.slice(0, 300))}`;
      if ("error" in exact) {
        expect(auto, label).toEqual(exact);
        continue;
      }
      expect("error" in auto, label).toBe(false);
      if ("error" in auto) continue;
      if (auto.fellBack) handedOver++;
      else fast++;
      expect(auto.rows, label).toEqual(exact.rows);
      expect(auto.result.columns, label).toEqual(exact.result.columns);
      expect(auto.result.rows, label).toBe(exact.result.rows);
    }
    // Most generated files are well-formed: the comparison must really cover the fast path.
    expect(fast).toBeGreaterThan(30);
    expect(handedOver).toBeGreaterThan(0);
  });

  it("reads windows-1252, Latin-1 and windows-1250 files on the fast path to the rows the exact parser gives", async () => {
    const text = "Report\r\n\r\nname;price;city\r\n“Café”;5 €;Köln\r\nNaïve – x;7;Orléans\r\n";
    for (const [label, body, options, name] of [
      ["detected", iconv.encode(text, "windows-1252"), {}, "“Café”"],
      ["latin1 bytes", iconv.encode(text.replace(/[“”€–]/g, "?"), "latin1"), {}, "?Café?"],
      ["chosen latin1", iconv.encode(text.replace(/[“”€–]/g, "?"), "latin1"), { encoding: "latin1" }, "?Café?"],
      [
        "chosen windows-1250 (COPY converts)",
        iconv.encode(text.replace(/Café/, "Čapek"), "windows-1250"),
        { encoding: "windows-1250" },
        "“Čapek”",
      ],
    ] as const) {
      const table = label.replace(/\W+/g, "_");
      const exact = await loadWith("exact", `sb_ex_${table}`, body, undefined, options);
      const auto = await loadWith("auto", `sb_fa_${table}`, body, undefined, options);
      expect(auto.fellBack, label).toBeNull();
      expect(auto.result.parser, label).toBe("fast");
      expect(auto.result.dialect, label).toMatchObject({ headerLine: 3, delimiter: ";" });
      expect(auto.rows, label).toEqual(exact.rows);
      expect(auto.rows[0], label).toMatchObject({ _rb_line: "4", name, city: "Köln" });
    }
  });

  it("reads UTF-16 (LE and BE, with a BOM) on the fast path, in chunks that split its characters, to the rows the exact parser gives", async () => {
    const text = 'name,emoji,n\r\n"Zoë, ""Q""",😀🎉,1\r\n東京,"a\r\nb",2\r\n\uFEFFx,,3\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le).swap16();
    for (const [label, body] of [
      ["le", le],
      ["be", be],
    ] as const) {
      const exact = await loadWith("exact", `u16_ex_${label}`, body);
      // 7-byte chunks: code units and surrogate pairs split between chunks.
      const auto = await loadWith("auto", `u16_fa_${label}`, body, undefined, {}, 7);
      expect(auto.fellBack, label).toBeNull();
      expect([auto.result.parser, exact.result.parser], label).toEqual(["fast", "exact"]);
      expect(auto.result.encoding, label).toBe(`utf-16${label}`);
      expect(auto.rows, label).toEqual(exact.rows);
      expect(
        auto.rows.map((r) => [r._rb_line, r.name, r.emoji, r.n]),
        label,
      ).toEqual([
        ["2", 'Zoë, "Q"', "😀🎉", "1"],
        ["3", "東京", "a\r\nb", "2"],
        ["5", "\uFEFFx", null, "3"],
      ]);
    }
    // A lone surrogate is not UTF-16: the exact parser takes the file over.
    const broken = Buffer.concat([le.subarray(0, le.length - 4), Buffer.from([0x00, 0xd8]), le.subarray(le.length - 4)]);
    const auto = await loadWith("auto", "u16_broken", broken, undefined, {}, 7).catch((err: Error) => ({ fellBack: err.message }));
    expect(auto.fellBack).not.toBeNull();
  });

  it("a byte windows-1252 does not define leaves the fast path and fails with its line and column", async () => {
    const body = Buffer.concat([Buffer.from("a,b\n"), Buffer.from("x,\x80\x93ok\x94\n1,\x81\n", "latin1")]);
    const err = await loadWith("auto", "sb_undefined", body).then(
      () => null,
      (e: unknown) => e as { code?: string; line?: number; column?: number },
    );
    expect(err).toMatchObject({ code: "encoding", line: 3, column: 2 });
    // The same past an all-ASCII head: found there, the code page detected again, and then the
    // undefined byte still named by line and column.
    const late = Buffer.concat([Buffer.from("a,b\n" + "1,ascii\n".repeat(9000)), Buffer.from("2,caf\xe9\n3,\x81\n", "latin1")]);
    const lateErr = await loadWith("auto", "sb_undefined_late", late).then(
      () => null,
      (e: unknown) => e as { code?: string; line?: number; column?: number },
    );
    expect(lateErr).toMatchObject({ code: "encoding", line: 9003, column: 2 });
  });

  it("a whole load records which path it took", async () => {
    const plain = "id,name\n1,a\n2,b\n";
    const awkward = "id,height\n1,5'11\"\n2,6'0\"\n"; // a quote inside an unquoted field
    for (const [name, body, exact] of [
      ["fp_plain", plain, false],
      ["fp_awkward", awkward, true],
    ] as const) {
      host.files.set(`/${name}.csv`, { body });
      const { load } = await registerUrlDataset({ name, csvUrl: host.url(`/${name}.csv`) }, actor);
      await runDatasetLoad(load.id, { log: pino({ level: "silent" }), isLastAttempt: true });
      const after = (await getDatasetLoad(load.id))!;
      expect(after.status).toBe("succeeded");
      expect(after.rowsLoaded).toBe(2);
      expect(Boolean(after.timings.exact_parser), name).toBe(exact);
    }
    const rows = await getSql()`select height from staging.fp_awkward order by _rb_line`;
    expect(rows.map((r) => r.height)).toEqual(["5'11\"", "6'0\""]);
  });

  it("inflates a gzip file while fetching it and loads it on the way, as it does a plain one", async () => {
    const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
    const n = 200_000; // several MiB inflated: the head comes from more than one fetched piece
    const text =
      "id,when,name\n" +
      Array.from({ length: n }, (_, i) => `${i},2024-01-${String((i % 28) + 1).padStart(2, "0")},n${i % 97}`).join("\n") +
      "\n";
    host.files.set("/gz.csv.gz", { body: zlib.gzipSync(Buffer.from(text)) });
    const { load } = await registerUrlDataset({ name: "gz", csvUrl: host.url("/gz.csv.gz") }, actor);
    await runDatasetLoad(load.id, { ...ctx, stage: "fetch" });
    const fetched = (await getDatasetLoad(load.id))!;
    expect(fetched.staged).toMatchObject({
      rows: n,
      columns: [{ inferredType: "bigint" }, { inferredType: "date" }, { inferredType: "text" }],
    });
    await runDatasetLoad(load.id, { ...ctx, stage: "load" });
    const loaded = (await getDatasetLoad(load.id))!;
    expect(loaded.status).toBe("succeeded");
    expect(loaded.timings.typed_lane).toBe(1);
    const [row] = await getSql()`select count(*)::int as n, sum(id)::text as ids, count(distinct "when")::int as days from warehouse.gz`;
    expect({ ...row }).toEqual({ n, ids: String((n * (n - 1)) / 2), days: 28 });
  });

  it("loads while fetching; the load step then only applies what the fetch staged", async () => {
    const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
    const scratchExists = async (loadId: string) =>
      (await getSql()`select to_regclass(${`staging._rb_load_${loadId.replace(/-/g, "").slice(0, 20)}`}) is not null as e`)[0]!.e;
    host.files.set("/spec.csv", { body: "id,when\n1,2024-01-01\n2,2024-01-02\n" });
    const { dataset, load } = await registerUrlDataset({ name: "spec", csvUrl: host.url("/spec.csv") }, actor);
    await runDatasetLoad(load.id, { ...ctx, stage: "fetch" });
    const fetched = (await getDatasetLoad(load.id))!;
    expect(fetched.staged).toMatchObject({
      versionNumber: 1,
      rows: 2,
      columns: [
        { name: "id", inferredType: "bigint" },
        { name: "when", inferredType: "date" },
      ],
    });
    expect(await scratchExists(load.id)).toBe(true);
    await runDatasetLoad(load.id, { ...ctx, stage: "load" });
    const loaded = (await getDatasetLoad(load.id))!;
    expect(loaded.status).toBe("succeeded");
    expect(loaded.rowsLoaded).toBe(2);
    expect((await getSql()`select id, "when", _rb_line, _rb_version from staging.spec order by _rb_line`).map((r) => ({ ...r }))).toEqual([
      { id: "1", when: "2024-01-01", _rb_line: "2", _rb_version: 1 },
      { id: "2", when: "2024-01-02", _rb_line: "3", _rb_version: 1 },
    ]);
    expect(
      (await getSql()`select "when"::text as w, pg_typeof("when")::text as t from warehouse.spec order by _rb_line`).map((r) => [r.w, r.t]),
    ).toEqual([
      ["2024-01-01", "date"],
      ["2024-01-02", "date"],
    ]);

    // The same bytes again: the same size, so nothing is staged, and the load is "unchanged".
    const { requestDatasetLoad } = await import("@/lib/ingest/register");
    const again = await requestDatasetLoad(dataset.id, {}, actor);
    await runDatasetLoad(again.id, { ...ctx, stage: "fetch" });
    expect((await getDatasetLoad(again.id))!).toMatchObject({ status: "unchanged", staged: null });
    expect(await scratchExists(again.id)).toBe(false);

    // Different content of the same size is not staged during the fetch but still loads.
    host.files.set("/spec.csv", { body: "id,when\n3,2024-01-03\n4,2024-01-04\n" });
    const changed = await requestDatasetLoad(dataset.id, {}, actor);
    await runDatasetLoad(changed.id, { ...ctx, stage: "fetch" });
    expect((await getDatasetLoad(changed.id))!.staged).toBeNull();
    await runDatasetLoad(changed.id, { ...ctx, stage: "load" });
    expect((await getSql()`select id, _rb_version from staging.spec order by _rb_line`).map((r) => [r.id, r._rb_version])).toEqual([
      ["3", 2],
      ["4", 2],
    ]);

    // A file for the exact parser: the fetch stages nothing, the load step handles it.
    host.files.set("/spec.csv", { body: "id,height\n1,5'11\"\n" });
    const awkward = await requestDatasetLoad(dataset.id, {}, actor);
    await runDatasetLoad(awkward.id, { ...ctx, stage: "fetch" });
    expect((await getDatasetLoad(awkward.id))!.staged).toBeNull();
    await runDatasetLoad(awkward.id, { ...ctx, stage: "load" });
    expect((await getDatasetLoad(awkward.id))!.status).toBe("succeeded");
    expect((await getSql()`select height from staging.spec`).map((r) => r.height)).toEqual([`5'11"`]);
  });

  // Over 4 MiB (a second COPY lane where there is no twin) and over 32 MiB of staging pages (two typing halves); a
  // quoted line break now and then moves the physical line numbers. The typed twin, COPYed
  // alongside with the head's types, replaces the typing pass when the whole file keeps them. On
  // the last line of a smaller file (still past the first piece the guess comes from) a leading
  // zero makes `a` text: the twin's bigint column took it as a number, so the twin must not be
  // used, and the load goes through the typing pass.
  // An append load keeps no twin (its typed table is all of staging's versions): staging gets
  // two COPY lanes and the typing pass runs in two halves.
  it.each([
    { name: "big", n: 800_000, zero: "", mode: "replace", typed: { typed_lane: 1 }, types: ["bigint", "text", "boolean"] },
    { name: "big_late_zero", n: 300_000, zero: "0", mode: "replace", typed: {}, types: ["text", "text", "boolean"] },
    {
      name: "big_append",
      n: 800_000,
      zero: "",
      mode: "append",
      typed: { copy_lanes: 2, typing_parts: 2 },
      types: ["bigint", "text", "boolean"],
    },
  ])("loads a large file over two COPYs, every line once, typed as one CREATE TABLE AS would ($name)", async (c) => {
    const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
    const leftovers = async () =>
      (await getSql()`select schemaname || '.' || tablename as t from pg_tables where tablename like '\\_rb\\_%'`).map((r) => r.t);
    const n = c.n;
    const body =
      "a,b,c\n" +
      Array.from({ length: n }, (_, i) =>
        i % 1000 === 7 ? `${i},"x\ny",${i % 2 ? "t" : "f"}` : `${i === n - 1 ? c.zero : ""}${i},,${i % 2 ? "t" : "f"}`,
      ).join("\n") +
      "\n";
    host.files.set(`/${c.name}.csv`, { body });
    const { load } = await registerUrlDataset(
      { name: c.name, csvUrl: host.url(`/${c.name}.csv`), options: { loadMode: c.mode as "replace" | "append" } },
      actor,
    );
    await runDatasetLoad(load.id, { ...ctx, stage: "fetch" });
    await runDatasetLoad(load.id, { ...ctx, stage: "load" });
    const after = (await getDatasetLoad(load.id))!;
    expect(after.status).toBe("succeeded");
    expect(after.timings.exact_parser).toBeUndefined();
    expect(after.timings).toMatchObject(c.typed);
    expect(after.timings.typed_lane === undefined, JSON.stringify(after.timings)).toBe(c.typed.typed_lane === undefined);
    expect(after.rowsLoaded).toBe(n);
    const [lines] = await getSql()`
      select count(*)::int as rows, count(distinct _rb_line)::int as lines, min(_rb_line)::int as first, max(_rb_line)::int as last,
             count(*) filter (where a::int % 1000 = 7 and b = e'x\ny')::int as quoted,
             count(*) filter (where _rb_line <> a::int + 2 + (a::int + 992) / 1000)::int as misnumbered,
             count(distinct _rb_loaded_at)::int as load_times
      from ${getSql()(`staging`)}.${getSql()(c.name)}`;
    // One load time for the whole load, though two COPYs (two transactions) shared its rows.
    expect(lines).toEqual({ rows: n, lines: n, first: 2, last: n + 1 + n / 1000, quoted: n / 1000, misnumbered: 0, load_times: 1 });
    const types =
      await getSql()`select column_name, data_type from information_schema.columns where table_schema = 'warehouse' and table_name = ${c.name} and column_name in ('a', 'b', 'c') order by column_name`;
    expect(types.map((r) => r.data_type)).toEqual(c.types);
    // Every column of every row, the bookkeeping ones too, is what the typing pass makes of staging.
    const select = (table: string) => `select _rb_line, a::text, b, c, _rb_version, _rb_loaded_at from ${table}`;
    const typedFromStaging = `select _rb_line, btrim(a)::${c.types[0]}::text, b, btrim(c)::boolean, _rb_version, _rb_loaded_at from staging.${c.name}`;
    const [diff] = await getSql().unsafe(`
      select count(*)::int as n from (
        (${select(`warehouse.${c.name}`)} except ${typedFromStaging})
        union all
        (${typedFromStaging} except ${select(`warehouse.${c.name}`)})) d`);
    expect(diff!.n).toBe(0);
    expect((await getSql().unsafe(`select count(*)::int as n from warehouse.${c.name}`))[0]!.n).toBe(n);
    if (c.zero)
      expect(
        (await getSql().unsafe(`select a from warehouse.${c.name} where _rb_line = (select max(_rb_line) from warehouse.${c.name})`))[0]!.a,
      ).toBe(`0${n - 1}`);
    expect(await leftovers()).toEqual([]);
  });

  // The typed twin settles at the end. Past the first MiB (the head its types are guessed from): a
  // column empty in the head was COPYed as text and is cast (ALTER … USING), as is a column the
  // second look types ("NA" among numbers); a value the head's type refuses ("n/a" in a bigint
  // column) ends the twin's COPY, and the load types from staging.
  const n = 150_000;
  const half = 100_000;
  it.each([
    { name: "tw_sparse", b: (i: number) => (i < half ? "" : String(i * 2)), typedLane: true },
    { name: "tw_marker", b: (i: number) => (i % 10 === 0 ? "NA" : String(i)), typedLane: true },
    { name: "tw_refused", b: (i: number) => (i === n - 1 ? "n/a" : String(i)), typedLane: false },
  ])("settles the typed twin at the end of the load ($name)", async (c) => {
    const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
    const values = Array.from({ length: n }, (_, i) => c.b(i));
    host.files.set(`/${c.name}.csv`, { body: "a,b\n" + values.map((b, i) => `${i},${b}`).join("\n") + "\n" });
    const { load } = await registerUrlDataset({ name: c.name, csvUrl: host.url(`/${c.name}.csv`) }, actor);
    await runDatasetLoad(load.id, ctx);
    const after = (await getDatasetLoad(load.id))!;
    expect(after.status).toBe("succeeded");
    expect(Boolean(after.timings.typed_lane)).toBe(c.typedLane);
    const numbers = values.filter((v) => /^[0-9]+$/.test(v)).map(Number);
    const [typed] = await getSql().unsafe(
      `select min(pg_typeof(b)::text) as type, count(b)::int as count, sum(b)::text as sum, sum(a)::text as a from warehouse.${c.name}`,
    );
    expect({ ...typed }).toEqual({
      type: "bigint",
      count: numbers.length,
      sum: String(numbers.reduce((x, y) => x + y, 0)),
      a: String((n * (n - 1)) / 2),
    });
    const leftovers = await getSql()`select tablename from pg_tables where tablename like '\\_rb\\_%'`;
    expect(leftovers).toEqual([]);
  });

  it("a type the user chose is cast in the twin at the end (its column was COPYed as text), null markers and padding included", async () => {
    const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
    host.files.set("/tw_chosen.csv", { body: "id,score\n1, 12 \n2,NA\n3,7.5\n4,\n" });
    const { dataset, load } = await registerUrlDataset({ name: "tw_chosen", csvUrl: host.url("/tw_chosen.csv") }, actor);
    await runDatasetLoad(load.id, ctx);
    const { setColumnType } = await import("@/lib/ingest/manage");
    const again = await setColumnType(dataset.id, "id", "text", actor);
    await runDatasetLoad(again.id, ctx);
    const third = await setColumnType(dataset.id, "score", "numeric", actor);
    await runDatasetLoad(third.id, ctx);
    const after = (await getDatasetLoad(third.id))!;
    expect(after.status).toBe("succeeded");
    expect(after.timings.typed_lane).toBe(1);
    const rows =
      await getSql()`select pg_typeof(id)::text as it, id, pg_typeof(score)::text as st, score::text from warehouse.tw_chosen order by _rb_line`;
    expect(rows.map((r) => [r.it, r.id, r.st, r.score])).toEqual([
      ["text", "1", "numeric", "12"],
      ["text", "2", "numeric", null],
      ["text", "3", "numeric", "7.5"],
      ["text", "4", "numeric", null],
    ]);
  });

  it("fails the whole load, keeping no rows, when the second COPY fails midway; both connections come back clean", async () => {
    const n = 1_500_000; // about 19 MB: the second COPY gets over 7 MB, far more than 50 ms of work
    const csv = "a,b\n" + Array.from({ length: n }, (_, i) => `${i},x${i % 7}`).join("\n") + "\n";
    const sql = await getSql().reserve();
    const second: { pid?: number } = {};
    try {
      // The second lane's connection cancels its own COPY after 50 ms: a failure in the middle
      // of the stream, on a connection that stays up. (Chunks of 1 MiB, as the fetch feeds them.)
      const chunks = Array.from({ length: Math.ceil(csv.length / 2 ** 20) }, (_, i) =>
        Buffer.from(csv.slice(i * 2 ** 20, (i + 1) * 2 ** 20)),
      );
      const load = loadIntoScratchTable({
        sql,
        open: async () => Readable.from(chunks),
        table: `staging."lane_fails"`,
        versionNumber: 1,
        options: OPTIONS,
        overrides: new Map(),
        onProgress: () => {},
        maxBytes: 1e9,
        extraConnection: async () => {
          const conn = await getSql().reserve();
          second.pid = (await conn`select pg_backend_pid() as pid`)[0]!.pid as number;
          await conn`set statement_timeout = '50ms'`;
          return conn;
        },
      });
      // The COPY's error reaches the load either as the stream's error (the load fails with it)
      // or, when postgres.js lets it pass (see endCopy), only as COMMIT's ROLLBACK: then the fast
      // path hands the file to the exact parser, which loads it again from the start, alone.
      const outcome = await load.then(
        (r) => ({ rows: r.rows, error: null }),
        (err: Error) => ({ rows: 0, error: err.message }),
      );
      if (outcome.error !== null) expect(outcome.error).toMatch(/statement timeout/);
      else expect(outcome.rows).toBe(n);
      expect(second.pid).toBeTypeOf("number");
      // Nothing of the refused COPYs is visible, and no connection was left inside a transaction.
      expect((await sql`select count(*)::int as n from staging."lane_fails"`.catch(() => [{ n: 0 }]))[0]!.n).toBe(outcome.rows);
      await expect
        // Asked on this test's own connection: a pooled one could be that very connection.
        .poll(async () => (await sql`select state from pg_stat_activity where pid = ${second.pid!}`)[0]?.state ?? "gone", {
          timeout: 5_000,
        })
        .toMatch(/^(idle|gone)$/);
      expect((await sql`select pg_current_xact_id_if_assigned() is null as clean`)[0]!.clean).toBe(true);
    } finally {
      await getSql().unsafe(`drop table if exists staging."lane_fails"`);
      sql.release();
    }
  });
});
