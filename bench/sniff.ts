import path from "node:path";
import pino from "pino";
import { DuckDBInstance } from "@duckdb/node-api";
import { normalizeHeaders } from "@/lib/csv/headers";
import { compareLoad, loadWildExpectations, loadWithRelayboard, WILD_DIR, type ObservedLoad } from "@/tests/helpers/wild-corpus";

/**
 * `npm run bench -- --only=sniff`: every file of the real-world corpus (tests/fixtures/wild) loaded
 * by Relayboard's upload path with default options and by DuckDB's read_csv auto-detection, each
 * compared with expected.json the same way (numbers numerically, so a DOUBLE's 8.0 is 8).
 */

export type SniffFileResult = { file: string; classes: string[]; relayboard: string[]; duckdb: string[] };
export type SniffResult = { files: SniffFileResult[]; duckdbVersion: string };

/** DuckDB's type names as the corpus names types. */
function duckType(t: string): string {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return "bigint";
  if (/^(FLOAT|DOUBLE|DECIMAL.*)$/.test(t)) return "numeric";
  if (t === "VARCHAR") return "text";
  if (t === "TIMESTAMP WITH TIME ZONE") return "timestamptz";
  return t.toLowerCase(); // date, timestamp, boolean; anything else (time, …) matches nothing
}

/** read_csv('<file>') with nothing but the path: DuckDB's own detection of everything. A failure to load is an error. */
async function loadWithDuckDb(connection: Awaited<ReturnType<DuckDBInstance["connect"]>>, file: string): Promise<ObservedLoad> {
  const source = `read_csv('${path.join(WILD_DIR, file).replace(/'/g, "''")}')`;
  try {
    const described = (await connection.runAndReadAll(`describe select * from ${source}`)).getRowObjectsJS();
    // Cast in DuckDB: dates and timestamps come back ISO, as PostgreSQL writes them.
    const rows = (await connection.runAndReadAll(`select columns(*)::varchar from ${source}`)).getRowsJS() as (string | null)[][];
    const names = normalizeHeaders(described.map((d) => String(d.column_name))).map((n) => n.name);
    return { error: null, columns: described.map((d, i) => ({ name: names[i]!, type: duckType(String(d.column_type)) })), rows };
  } catch (err) {
    return { error: `DuckDB: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}` };
  }
}

/** Needs the app's env pointed at a migrated database, and an editor's API token for the uploads. */
export async function measureSniff(opts: { token: string; log: (msg: string) => void }): Promise<SniffResult> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const [[duckdbVersion]] = (await connection.runAndReadAll("select version()")).getRowsJS() as [[string]];
  const quiet = pino({ level: "silent" });
  const files: SniffFileResult[] = [];
  try {
    for (const expected of loadWildExpectations()) {
      const relayboard = compareLoad(expected, await loadWithRelayboard(expected.file, opts.token, quiet), { numbersAsNumbers: true });
      const duckdb = compareLoad(expected, await loadWithDuckDb(connection, expected.file), { numbersAsNumbers: true });
      files.push({ file: expected.file, classes: expected.class, relayboard, duckdb });
      opts.log(
        `sniff ${expected.file}: Relayboard ${relayboard.length ? "incorrect" : "correct"}, DuckDB ${duckdb.length ? "incorrect" : "correct"}`,
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { files, duckdbVersion };
}

/** Relayboard must be right wherever DuckDB is, and on more files. */
export function sniffOk(result: SniffResult): boolean {
  const right = (xs: string[]) => xs.length === 0;
  const rb = result.files.filter((f) => right(f.relayboard)).length;
  const duck = result.files.filter((f) => right(f.duckdb)).length;
  return result.files.every((f) => right(f.relayboard) || !right(f.duckdb)) && rb > duck;
}

/** The table files × (Relayboard, DuckDB), first reason for each incorrect one, and totals (Markdown). */
export function renderSniff(result: SniffResult): string {
  const cell = (problems: string[]) =>
    problems.length === 0
      ? "correct"
      : `incorrect: ${problems[0]!.replace(/\|/g, "\\|").slice(0, 140)}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ""}`;
  const out = [
    `### Real-world CSV corpus: Relayboard vs DuckDB read_csv auto-detection (${result.duckdbVersion})`,
    "",
    "| file | classes | Relayboard | DuckDB |",
    "| --- | --- | --- | --- |",
    ...result.files.map((f) => `| ${f.file} | ${f.classes.join(", ")} | ${cell(f.relayboard)} | ${cell(f.duckdb)} |`),
  ];
  const count = (pick: (f: SniffFileResult) => string[]) => result.files.filter((f) => pick(f).length === 0).length;
  const n = result.files.length;
  out.push(
    `| **total correct** | | **${count((f) => f.relayboard)} / ${n}** | **${count((f) => f.duckdb)} / ${n}** |`,
    "",
    "Correct = the expected row count, column names (normalized as Relayboard names columns) and types (DuckDB's BIGINT/INTEGER → bigint, DOUBLE/DECIMAL → numeric, VARCHAR → text), and every checked cell of tests/fixtures/wild/expected.json, numbers compared as numbers. DuckDB runs `read_csv('<file>')` with no options, in memory; Relayboard uploads through POST /v1/datasets/csv with no options.",
  );
  const missed = result.files.filter((f) => f.relayboard.length > 0 && f.duckdb.length === 0).map((f) => f.file);
  if (missed.length) out.push("", `Relayboard is incorrect where DuckDB is correct: ${missed.join(", ")}.`);
  return out.join("\n");
}
