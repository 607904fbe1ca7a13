import postgres from "postgres";
import type { Target } from "@/bench/report";

/**
 * Relayboard's typed-model build (buildTypedTable) against a hand-written CREATE TABLE … AS
 * SELECT with the same casts over the same staging table, on the same database, best of N each.
 * Both run on one dedicated connection with a statement timeout, so neither can hang the bench.
 */

export const TYPED_MODEL_LIMIT = 1.2;

export type TypedModelResult = {
  dataset: string;
  rows: number;
  columns: number;
  /** Seconds per run, in the order they ran (interleaved: typed, ctas, typed, ctas, …). */
  typedRuns: number[];
  ctasRuns: number[];
  typedSeconds: number | null;
  ctasSeconds: number | null;
  ratio: number | null;
  /** Both tables end up with the same column names and types, and the same row count. */
  sameShape: boolean | null;
  ctasSql: string;
  error: string | null;
};

type Column = { name: string; inferredType: string; overrideType?: string };

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Written by hand for the bench, not taken from lib/: text columns as they are, booleans and
 * numbers/dates trimmed then cast, timestamptz cast directly (its input parser skips blanks),
 * and the three bookkeeping columns carried along as the typed model does.
 */
export function handWrittenCtas(datasetName: string, columns: readonly Column[]): string {
  const select = columns.map((c) => {
    const type = c.overrideType ?? c.inferredType;
    const col = ident(c.name);
    if (type === "text") return col;
    if (type === "timestamptz") return `${col}::timestamptz as ${col}`;
    return `btrim(${col})::${type} as ${col}`;
  });
  return (
    `create table warehouse.bench_ctas as select _rb_line, ${select.join(", ")}, _rb_version, _rb_loaded_at ` +
    `from staging.${ident(datasetName)}`
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export async function measureTypedModel(opts: {
  databaseUrl: string;
  datasetName: string;
  runs: number;
  timeoutMs: number;
  log: (msg: string) => void;
}): Promise<TypedModelResult> {
  const { getDatasetByName } = await import("@/db/queries/datasets");
  const { buildTypedTable } = await import("@/lib/ingest/typed-table");
  const dataset = await getDatasetByName(opts.datasetName);
  const columns = dataset?.columns ?? [];
  const result: TypedModelResult = {
    dataset: opts.datasetName,
    rows: dataset?.rowCount ?? 0,
    columns: columns.length,
    typedRuns: [],
    ctasRuns: [],
    typedSeconds: null,
    ctasSeconds: null,
    ratio: null,
    sameShape: null,
    ctasSql: handWrittenCtas(opts.datasetName, columns),
    error: null,
  };
  if (!dataset || columns.length === 0) return { ...result, error: `dataset ${opts.datasetName} not found or has no columns` };

  const sql = postgres(opts.databaseUrl, {
    // buildTypedTable holds one reserved connection (the dataset's staging lock) and types the
    // second half of a large table on another: with max 1 it would wait for itself forever.
    max: 3,
    onnotice: () => {},
    connection: { statement_timeout: opts.timeoutMs, application_name: "relayboard-bench" },
  });
  const shape = async (table: string) =>
    (
      await sql.unsafe(
        `select attname, format_type(atttypid, atttypmod) as type from pg_attribute
       where attrelid = '${table}'::regclass and attnum > 0 and not attisdropped order by attnum`,
      )
    )
      .map((r) => `${r.attname}:${r.type}`)
      .join(",");
  try {
    await sql.unsafe("drop table if exists warehouse.bench_ctas");
    for (let i = 0; i < opts.runs; i++) {
      // Same starting point for every run: no dirty buffers from the previous one.
      await sql.unsafe("checkpoint").catch(() => {});
      const typed = await timed(() => buildTypedTable(sql, opts.datasetName, columns));
      result.typedRuns.push(typed);
      await sql.unsafe("checkpoint").catch(() => {});
      let rows = 0;
      const ctas = await timed(() =>
        sql.begin(async (tx) => {
          // As the typed build does: offset-less timestamptz values are read as UTC.
          await tx.unsafe("set local timezone = 'UTC'");
          rows = (await tx.unsafe(result.ctasSql)).count;
        }),
      );
      result.ctasRuns.push(ctas);
      opts.log(
        `typed model run ${i + 1}/${opts.runs}: buildTypedTable ${typed.toFixed(2)} s, hand-written CTAS ${ctas.toFixed(2)} s (${rows} rows)`,
      );
      if (i === opts.runs - 1) {
        const [{ n }] = await sql.unsafe(`select count(*)::bigint as n from warehouse.${ident(opts.datasetName)}`);
        result.sameShape =
          Number(n) === rows && (await shape(`warehouse.${ident(opts.datasetName)}`)) === (await shape("warehouse.bench_ctas"));
        result.rows = rows;
      }
      await sql.unsafe("drop table warehouse.bench_ctas");
    }
    result.typedSeconds = Math.min(...result.typedRuns);
    result.ctasSeconds = Math.min(...result.ctasRuns);
    result.ratio = result.typedSeconds / result.ctasSeconds;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    await sql.unsafe("drop table if exists warehouse.bench_ctas").catch(() => {});
  } finally {
    await sql.end({ timeout: 5 });
  }
  return result;
}

export function typedModelTarget(r: TypedModelResult | null): Target {
  const name = "typed-model build ÷ hand-written CTAS";
  const limit = `≤ ${TYPED_MODEL_LIMIT} ×`;
  if (!r || r.ratio === null) return { name, limit, measured: r?.error ? `failed: ${r.error.slice(0, 80)}` : "not measured", holds: null };
  const holds = r.ratio <= TYPED_MODEL_LIMIT;
  return {
    name,
    limit,
    measured: `${r.ratio.toFixed(2)} ×`,
    holds,
    note: holds ? undefined : `missed by ${(((r.ratio - TYPED_MODEL_LIMIT) / TYPED_MODEL_LIMIT) * 100).toFixed(0)} %`,
  };
}

export function typedModelLines(r: TypedModelResult, fmt: (n: number) => string): string[] {
  const runs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
  const rate = (s: number | null) => (s ? Math.round(r.rows / s).toLocaleString("en-US") : "");
  const out = [
    `Typed model vs hand-written CTAS (${r.rows.toLocaleString("en-US")} rows × ${r.columns} columns, staging → warehouse, best of ${r.typedRuns.length}):`,
    "",
    "| Build | Best s | Runs s | Rows/s |",
    "| --- | ---: | --- | ---: |",
    `| Relayboard buildTypedTable() (CTAS + drop old + rename, one transaction) | ${r.typedSeconds === null ? "n/a" : fmt(r.typedSeconds)} | ${runs(r.typedRuns)} | ${rate(r.typedSeconds)} |`,
    `| hand-written \`create table warehouse.bench_ctas as select …\` | ${r.ctasSeconds === null ? "n/a" : fmt(r.ctasSeconds)} | ${runs(r.ctasRuns)} | ${rate(r.ctasSeconds)} |`,
    "",
    r.ratio === null
      ? `Typed model: **failed**: ${r.error ?? "?"}`
      : `Ratio ${r.ratio.toFixed(2)} × (target ≤ ${TYPED_MODEL_LIMIT} ×); same columns, types and row count: ${r.sameShape ? "yes" : "**no**"}`,
  ];
  return out;
}
