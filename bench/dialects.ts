import { BENCH_COLUMNS, CANONICAL, LATIN1_REPLACEMENT, type CsvDialect, type GeneratedCsv } from "@/bench/generate-csv";
import type { BaselineResult } from "@/bench/psql-baseline";
import type { IngestResult } from "@/bench/ingest-job";
import type { Target } from "@/bench/report";

/**
 * The common real-world dialects of the main file (issue 14 "Speed"): the same rows written with
 * `;` as the delimiter, with CRLF line ends, in Latin-1, and the canonical file uploaded through
 * the route instead of fetched from a URL. Each loads on the defaults (no options: the sniffer
 * decides), request → succeeded, against `psql \copy` of the canonical file into a pre-typed
 * table, interleaved round by round in the same bench run.
 */

export type DialectVariant = {
  key: string;
  label: string;
  dialect: CsvDialect;
  via: "url" | "upload";
};

export const DIALECT_VARIANTS: readonly DialectVariant[] = [
  { key: "canonical", label: "canonical (`,` LF UTF-8, URL) — reference", dialect: CANONICAL, via: "url" },
  { key: "semicolon", label: "`;`-delimited", dialect: { ...CANONICAL, delimiter: ";" }, via: "url" },
  { key: "crlf", label: "CRLF line ends", dialect: { ...CANONICAL, newline: "\r\n" }, via: "url" },
  { key: "latin1", label: "Latin-1 (ISO-8859-1)", dialect: { ...CANONICAL, encoding: "latin1" }, via: "url" },
  { key: "upload", label: "upload, POST /v1/datasets/csv", dialect: CANONICAL, via: "upload" },
];

/** The variants the target applies to (the canonical reference row has the main ingest's target). */
const TARGETED = new Set(["semicolon", "crlf", "latin1", "upload"]);
export const DIALECT_LIMIT = 1.6;
export const DIALECT_ROUNDS = 5;
export const QUICK_DIALECT_ROUNDS = 2;

export type DialectRow = {
  key: string;
  label: string;
  file: { rows: number; bytes: number; path: string };
  runs: IngestResult[];
  /** Median total (request → succeeded) of the succeeded runs; null when none succeeded. */
  medianSeconds: number | null;
};

export type DialectResult = {
  rounds: number;
  /** Every round's psql \copy of the canonical file into the pre-typed table, in order. */
  psqlTyped: BaselineResult[];
  psqlMedianSeconds: number | null;
  rows: DialectRow[];
  /** The order each round ran in (psql and the variants, rotated by one every round). */
  order: string[][];
  error?: string;
};

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Round r runs the list rotated by r, so no variant always runs first (after a checkpoint) or last. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function measureDialects(opts: {
  rounds: number;
  files: Map<string, GeneratedCsv>;
  psqlTyped: () => Promise<BaselineResult>;
  ingest: (variant: DialectVariant, file: GeneratedCsv, name: string) => Promise<IngestResult>;
  interrupted: () => boolean;
  log: (msg: string) => void;
}): Promise<DialectResult> {
  const result: DialectResult = {
    rounds: opts.rounds,
    psqlTyped: [],
    psqlMedianSeconds: null,
    order: [],
    rows: DIALECT_VARIANTS.map((v) => {
      const f = opts.files.get(v.key)!;
      return { key: v.key, label: v.label, file: { rows: f.rows, bytes: f.bytes, path: f.path }, runs: [], medianSeconds: null };
    }),
  };
  const steps = ["psql", ...DIALECT_VARIANTS.map((v) => v.key)];
  try {
    for (let round = 0; round < opts.rounds && !opts.interrupted(); round++) {
      const order = roundOrder(steps, round);
      result.order.push(order);
      opts.log(`dialects: round ${round + 1}/${opts.rounds}: ${order.join(", ")}`);
      for (const step of order) {
        if (opts.interrupted()) break;
        if (step === "psql") {
          const psql = await opts.psqlTyped();
          result.psqlTyped.push(psql);
          continue;
        }
        const variant = DIALECT_VARIANTS.find((v) => v.key === step)!;
        const run = await opts.ingest(variant, opts.files.get(step)!, `bench_dialect_${step}_r${round + 1}`);
        result.rows.find((r) => r.key === step)!.runs.push(run);
        opts.log(`dialects: ${step} round ${round + 1}: ${run.status} ${run.totalSeconds.toFixed(2)} s`);
      }
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
  result.psqlMedianSeconds = median(result.psqlTyped.map((p) => p.seconds));
  for (const row of result.rows) row.medianSeconds = median(row.runs.filter((r) => r.status === "succeeded").map((r) => r.totalSeconds));
  return result;
}

function check(row: DialectRow): string {
  const ok = row.runs.filter((r) => r.status === "succeeded");
  if (ok.length < row.runs.length) return `${row.runs.length - ok.length} of ${row.runs.length} runs **failed**`;
  const last = ok[ok.length - 1];
  if (!last) return "no run";
  const wrongRows = ok.filter((r) => r.rowsLoaded !== row.file.rows).length;
  const wrongTypes = BENCH_COLUMNS.filter((c) => last.inferredTypes[c.name] !== c.pgType).map(
    (c) => `${c.name}: ${last.inferredTypes[c.name] ?? "missing"}`,
  );
  const exact = ok.filter((r) => r.timings.exact_parser).length;
  return [
    wrongRows ? `**${wrongRows} runs loaded other than ${row.file.rows.toLocaleString("en-US")} rows**` : "rows ✓",
    wrongTypes.length ? `**types differ: ${wrongTypes.join(", ")}**` : "types ✓",
    exact ? `exact parser (${exact}/${ok.length})` : "fast path",
  ].join(", ");
}

export function dialectLines(d: DialectResult, fmt: (n: number) => string): string[] {
  const ratio = (s: number | null) => (s !== null && d.psqlMedianSeconds ? `${(s / d.psqlMedianSeconds).toFixed(2)} ×` : "");
  const out = [
    `Dialect variants of the main file, loaded on the defaults (no options) through a fresh worker each; ${d.rounds} interleaved rounds, medians (runs in order):`,
    "",
    "| Variant | MB | Every run, request → succeeded (s) | Median s | MB/s | ÷ psql-typed (median) | Check |",
    "| --- | ---: | --- | ---: | ---: | ---: | --- |",
    `| psql \\copy of the canonical file → pre-typed table | ${(d.rows[0]!.file.bytes / 1e6).toFixed(1)} | ${d.psqlTyped.map((p) => fmt(p.seconds)).join(" / ")} | ${d.psqlMedianSeconds === null ? "n/a" : fmt(d.psqlMedianSeconds)} | ${d.psqlMedianSeconds ? (d.rows[0]!.file.bytes / 1e6 / d.psqlMedianSeconds).toFixed(1) : ""} | 1.00 × | ${d.psqlTyped.map((p) => p.rows).every((n) => n === d.rows[0]!.file.rows) ? "rows ✓" : "**row count differs**"} |`,
  ];
  for (const row of d.rows) {
    const runs = row.runs.map((r) => (r.status === "succeeded" ? fmt(r.totalSeconds) : `**${r.status}**`)).join(" / ");
    const mbs = row.medianSeconds ? (row.file.bytes / 1e6 / row.medianSeconds).toFixed(1) : "";
    out.push(
      `| ${row.label} | ${(row.file.bytes / 1e6).toFixed(1)} | ${runs} | ${row.medianSeconds === null ? "n/a" : fmt(row.medianSeconds)} | ${mbs} | ${ratio(row.medianSeconds)} | ${check(row)} |`,
    );
  }
  out.push(
    "",
    `Round order (rotated by one each round): ${d.order.map((o) => o.join(" → ")).join("; ")}.`,
    `The Latin-1 file holds the same rows with every character ISO-8859-1 lacks (CJK, Cyrillic, ř, ễ, emoji…) written as "${LATIN1_REPLACEMENT}"; é, ü, ø, ß… are single bytes there and two-byte UTF-8 in the canonical file. The \`;\` file quotes only fields with \`;\`, \`"\` or a line break; the CRLF file ends every record with CRLF (line breaks inside quoted fields are as generated). The upload streams the canonical file over HTTP on 127.0.0.1 into the route handler of POST /v1/datasets/csv (multipart, Bearer token; bench/upload-route.ts); its total includes the upload.`,
  );
  if (d.error) out.push("", `Dialect part stopped early: ${d.error}`);
  return out;
}

export function dialectTargets(d: DialectResult | null, skipped?: string): Target[] {
  return DIALECT_VARIANTS.filter((v) => TARGETED.has(v.key)).map((v) => {
    const name = `dialect ${v.key}: total ÷ psql-into-pretyped (medians)`;
    const limit = `≤ ${DIALECT_LIMIT} ×`;
    const row = d?.rows.find((r) => r.key === v.key);
    if (!d || !row || row.medianSeconds === null || !d.psqlMedianSeconds) {
      return { name, limit, measured: skipped ?? (d ? "load failed" : "not measured"), holds: null };
    }
    const r = row.medianSeconds / d.psqlMedianSeconds;
    const allOk = row.runs.every((x) => x.status === "succeeded" && x.rowsLoaded === row.file.rows);
    return {
      name,
      limit,
      measured: `${r.toFixed(2)} ×`,
      holds: allOk ? r <= DIALECT_LIMIT : false,
      note: !allOk
        ? "a run failed or loaded the wrong row count"
        : r <= DIALECT_LIMIT
          ? undefined
          : `missed by ${(((r - DIALECT_LIMIT) / DIALECT_LIMIT) * 100).toFixed(0)} %`,
    };
  });
}
