import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { quoteIdent } from "@/lib/csv/headers";

/**
 * The real-world CSV corpus of tests/fixtures/wild (issue 14): its expectations, Relayboard's
 * load of a file through the upload route, and the one comparison that both
 * tests/wild-corpus.test.ts and the bench's sniff part (which also loads with DuckDB) use.
 */

export const WILD_DIR = path.resolve(__dirname, "..", "fixtures", "wild");

export type WildType = "bigint" | "numeric" | "boolean" | "date" | "timestamp" | "timestamptz" | "text";

export type WildExpectation = {
  file: string;
  class: string[];
  source: string;
  rows: number;
  columns: { name: string; type: WildType }[];
  /** `value` is PostgreSQL's ::text of the typed value, or null. */
  cells: { row: number; column: string; value: string | null }[];
  detect: { encoding: string; bom: boolean; delimiter: string; headerLine: number };
};

/** What a loader made of a file: its columns (type as one of WildType where it maps) and every row as text. */
export type ObservedLoad = { error: string } | { error: null; columns: { name: string; type: string }[]; rows: (string | null)[][] };

export function loadWildExpectations(): WildExpectation[] {
  return JSON.parse(fs.readFileSync(path.join(WILD_DIR, "expected.json"), "utf8")) as WildExpectation[];
}

/** A dataset name for a corpus file: lowercase, underscores, at most 63 bytes. */
export function wildDatasetName(file: string): string {
  return `wild_${file.replace(/\.[a-z]+$/, "").replace(/[^a-z0-9]+/gi, "_")}`.toLowerCase().slice(0, 63).replace(/_+$/, "");
}

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Equal values: as text, or (`numbersAsNumbers`, in a bigint/numeric column) as the same number. */
function sameValue(expected: string | null, actual: string | null, type: WildType, numbersAsNumbers: boolean): boolean {
  if (expected === actual) return true;
  if (expected === null || actual === null || !numbersAsNumbers) return false;
  if ((type === "bigint" || type === "numeric") && DECIMAL.test(expected) && DECIMAL.test(actual.trim())) {
    return Number(expected) === Number(actual.trim());
  }
  return false;
}

const show = (v: string | null | undefined) => (v === undefined ? "(missing)" : JSON.stringify(v));

/**
 * Every way `observed` differs from the expectation, one line each (empty: correct). Column
 * names are matched by name, and by position where a loader named its columns otherwise.
 * `numbersAsNumbers` compares numbers numerically (7.4 = 7.40, 2E+10 = 20000000000): fair to a
 * loader that keeps them as doubles; Relayboard's own test compares PostgreSQL's ::text exactly.
 */
export function compareLoad(expected: WildExpectation, observed: ObservedLoad, opts: { numbersAsNumbers?: boolean } = {}): string[] {
  if (observed.error !== null) return [`load failed: ${observed.error.split("\n")[0]}`];
  const problems: string[] = [];
  if (observed.rows.length !== expected.rows) problems.push(`rows: expected ${expected.rows}, got ${observed.rows.length}`);
  const names = observed.columns.map((c) => c.name);
  const wanted = expected.columns.map((c) => c.name);
  if (names.length !== wanted.length) problems.push(`columns: expected ${wanted.length} [${wanted}], got ${names.length} [${names}]`);
  const index = (name: string): number => {
    const byName = names.indexOf(name);
    if (byName >= 0) return byName;
    const position = wanted.indexOf(name);
    return names.length === wanted.length ? position : -1;
  };
  expected.columns.forEach((col, i) => {
    const at = index(col.name);
    if (at < 0) return problems.push(`column ${col.name}: missing`);
    if (names[at] !== col.name && !(/^column_\d+$/.test(col.name) && /^column_?\d+$/.test(names[at]!)))
      problems.push(`column ${i + 1}: expected name ${col.name}, got ${names[at]}`);
    if (observed.columns[at]!.type !== col.type)
      problems.push(`column ${col.name}: expected ${col.type}, got ${observed.columns[at]!.type}`);
  });
  for (const cell of expected.cells) {
    const at = index(cell.column);
    if (at < 0) continue;
    const type = expected.columns.find((c) => c.name === cell.column)!.type;
    const actual = observed.rows[cell.row]?.[at];
    if (actual === undefined || !sameValue(cell.value, actual, type, opts.numbersAsNumbers ?? false)) {
      problems.push(`row ${cell.row} ${cell.column}: expected ${show(cell.value)}, got ${show(actual)}`);
    }
  }
  return problems;
}

/** information_schema's data_type as the corpus names it. */
function pgType(dataType: string): string {
  if (dataType === "timestamp without time zone") return "timestamp";
  if (dataType === "timestamp with time zone") return "timestamptz";
  return dataType;
}

/**
 * Uploads a corpus file as Relayboard's API does (POST /v1/datasets/csv, multipart, default
 * options, with an editor's API token), runs the load that upload queued in this process (as the
 * worker would) and reads back warehouse."<name>". Needs the app's env (DATABASE_URL, DATA_DIR)
 * set and a migrated database.
 */
export async function loadWithRelayboard(file: string, token: string, log: Logger): Promise<ObservedLoad> {
  const { POST } = await import("@/app/v1/datasets/csv/route");
  const { getRunById } = await import("@/db/queries/pipelines");
  const { getDatasetLoad } = await import("@/db/queries/datasets");
  const { runDatasetLoad } = await import("@/lib/ingest/run-load");
  const { getSql } = await import("@/db");
  const name = wildDatasetName(file);
  const form = new FormData();
  form.append("name", name);
  form.append("file", new Blob([fs.readFileSync(path.join(WILD_DIR, file))]), file);
  const response = await POST(
    new Request("http://127.0.0.1:3000/v1/datasets/csv", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form }),
  );
  const body = (await response.json()) as { dataset?: { latestRunId: string | null }; error?: { message: string } };
  if (response.status !== 201) return { error: `upload answered ${response.status}: ${body.error?.message ?? JSON.stringify(body)}` };
  const run = body.dataset?.latestRunId ? await getRunById(body.dataset.latestRunId) : null;
  if (!run?.loadId) return { error: "the upload started no run with a load" };
  await runDatasetLoad(run.loadId, { log, isLastAttempt: true });
  const load = await getDatasetLoad(run.loadId);
  if (load?.status !== "succeeded") return { error: load?.error?.message ?? `the load ended ${load?.status ?? "missing"}` };
  const sql = getSql();
  const columns = await sql<{ name: string; type: string }[]>`
    select column_name as name, data_type as type from information_schema.columns
    where table_schema = 'warehouse' and table_name = ${name} and column_name not like '\\_rb\\_%'
    order by ordinal_position`;
  const list = columns.map((c) => `${quoteIdent(c.name)}::text`).join(", ");
  const rows = (await sql.unsafe(`select ${list} from warehouse.${quoteIdent(name)} order by _rb_line`).values()) as (string | null)[][];
  return { error: null, columns: columns.map((c) => ({ name: c.name, type: pgType(c.type) })), rows };
}
