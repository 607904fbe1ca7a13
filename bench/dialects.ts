import {
  BENCH_COLUMNS,
  CANONICAL,
  ensureCsv,
  ensureDerivedCsv,
  LATIN1_REPLACEMENT,
  type CsvDerivation,
  type CsvDialect,
  type GeneratedCsv,
} from "@/bench/generate-csv";
import type { BaselineResult } from "@/bench/psql-baseline";
import type { IngestResult } from "@/bench/ingest-job";
import type { Target } from "@/bench/report";

/**
 * The common real-world forms of the main file (issues 14 and 15): the same rows written with `;`
 * as the delimiter, with CRLF line ends, in Latin-1, in UTF-16LE with a BOM, gzip-compressed, and
 * the canonical file uploaded through the route instead of fetched from a URL. Each loads on the
 * defaults (no options: the sniffer decides), request → succeeded, against `psql \copy` of the
 * canonical file into a pre-typed table, interleaved round by round in the same bench run
 * (`measureInterleaved`, which bench/api.ts uses as well for the loads through the HTTP API).
 */

export type DialectVariant = {
  key: string;
  label: string;
  dialect: CsvDialect;
  /** Made from the canonical file (transcoded or compressed) rather than generated. */
  derive?: CsvDerivation;
  via: "url" | "upload";
};

export const DIALECT_VARIANTS: readonly DialectVariant[] = [
  { key: "canonical", label: "canonical (`,` LF UTF-8, URL)", dialect: CANONICAL, via: "url" },
  { key: "semicolon", label: "`;`-delimited", dialect: { ...CANONICAL, delimiter: ";" }, via: "url" },
  { key: "crlf", label: "CRLF line ends", dialect: { ...CANONICAL, newline: "\r\n" }, via: "url" },
  { key: "latin1", label: "Latin-1 (ISO-8859-1)", dialect: { ...CANONICAL, encoding: "latin1" }, via: "url" },
  { key: "utf16le", label: "UTF-16LE with BOM", dialect: CANONICAL, derive: "utf16le-bom", via: "url" },
  { key: "gzip", label: "gzip-compressed (`.csv.gz` URL)", dialect: CANONICAL, derive: "gzip", via: "url" },
  { key: "upload", label: "upload, POST /v1/datasets/csv", dialect: CANONICAL, via: "upload" },
];

/** Issue 15: each variant's median ≤ 1.3 × psql → pre-typed's median, and max/min of its runs ≤ 1.25. */
export const DIALECT_LIMIT = 1.3;
export const SPREAD_LIMIT = 1.25;
export const DIALECT_ROUNDS = 5;
export const QUICK_DIALECT_ROUNDS = 2;

/** The URL path a variant's file is served at, and the Content-Type it is served with. */
export function variantUrlPath(variant: DialectVariant, name: string): { urlPath: string; contentType?: string } {
  if (variant.derive === "gzip") return { urlPath: `/${name}.csv.gz`, contentType: "application/gzip" };
  if (variant.derive === "utf16le-bom") return { urlPath: `/${name}.csv`, contentType: "text/csv" };
  return { urlPath: `/${name}.csv` };
}

/** Each variant's file for `main` (the canonical file): generated or derived, cached next to it. */
export async function prepareVariantFiles(
  cacheDir: string,
  main: GeneratedCsv,
  variants: readonly DialectVariant[],
  log: (msg: string) => void,
): Promise<Map<string, GeneratedCsv>> {
  const files = new Map<string, GeneratedCsv>();
  for (const v of variants) {
    const csv = v.derive
      ? await ensureDerivedCsv(main, v.derive)
      : v.dialect === CANONICAL
        ? main
        : await ensureCsv(cacheDir, main.rows, v.dialect);
    if (csv !== main && csv.generatedNow)
      log(`variant ${v.key}: generated in ${csv.seconds.toFixed(1)} s, ${(csv.bytes / 1e6).toFixed(1)} MB`);
    files.set(v.key, csv);
  }
  return files;
}

export type DialectRow = {
  key: string;
  label: string;
  file: { rows: number; bytes: number; path: string };
  runs: IngestResult[];
  /** Median total (request → succeeded) of the succeeded runs; null when none succeeded. */
  medianSeconds: number | null;
  /** The shortest succeeded run. */
  bestSeconds: number | null;
  /** Max ÷ min of the succeeded runs' totals; null with fewer than one. */
  spread: number | null;
};

export type DialectResult = {
  /** Which part: the loads driven in the bench process ("dialects") or through the HTTP API ("api"). */
  part: "dialects" | "api";
  rounds: number;
  /** Every round's psql \copy of the canonical file into the pre-typed table, in order. */
  psqlTyped: BaselineResult[];
  psqlMedianSeconds: number | null;
  psqlBestSeconds: number | null;
  psqlSpread: number | null;
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

export function spread(values: number[]): number | null {
  if (values.length === 0) return null;
  return Math.max(...values) / Math.min(...values);
}

/** Round r runs the list rotated by r, so no variant always runs first (after a checkpoint) or last. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * `rounds` rounds of psql → pre-typed and each variant once, the order rotated by one each round;
 * every run is kept. Dataset names are `bench_<part>_<variant>_r<round>`.
 */
export async function measureInterleaved(opts: {
  part: DialectResult["part"];
  variants: readonly DialectVariant[];
  rounds: number;
  files: Map<string, GeneratedCsv>;
  psqlTyped: () => Promise<BaselineResult>;
  ingest: (variant: DialectVariant, file: GeneratedCsv, name: string) => Promise<IngestResult>;
  interrupted: () => boolean;
  log: (msg: string) => void;
}): Promise<DialectResult> {
  const result: DialectResult = {
    part: opts.part,
    rounds: opts.rounds,
    psqlTyped: [],
    psqlMedianSeconds: null,
    psqlBestSeconds: null,
    psqlSpread: null,
    order: [],
    rows: opts.variants.map((v) => {
      const f = opts.files.get(v.key)!;
      return {
        key: v.key,
        label: v.label,
        file: { rows: f.rows, bytes: f.bytes, path: f.path },
        runs: [],
        medianSeconds: null,
        bestSeconds: null,
        spread: null,
      };
    }),
  };
  const steps = ["psql", ...opts.variants.map((v) => v.key)];
  try {
    for (let round = 0; round < opts.rounds && !opts.interrupted(); round++) {
      const order = roundOrder(steps, round);
      result.order.push(order);
      opts.log(`${opts.part}: round ${round + 1}/${opts.rounds}: ${order.join(", ")}`);
      for (const step of order) {
        if (opts.interrupted()) break;
        if (step === "psql") {
          const psql = await opts.psqlTyped();
          result.psqlTyped.push(psql);
          continue;
        }
        const variant = opts.variants.find((v) => v.key === step)!;
        const run = await opts.ingest(variant, opts.files.get(step)!, `bench_${opts.part}_${step}_r${round + 1}`);
        result.rows.find((r) => r.key === step)!.runs.push(run);
        opts.log(`${opts.part}: ${step} round ${round + 1}: ${run.status} ${run.totalSeconds.toFixed(2)} s`);
      }
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
  const psqlSeconds = result.psqlTyped.map((p) => p.seconds);
  result.psqlMedianSeconds = median(psqlSeconds);
  result.psqlBestSeconds = psqlSeconds.length ? Math.min(...psqlSeconds) : null;
  result.psqlSpread = spread(psqlSeconds);
  for (const row of result.rows) {
    const ok = row.runs.filter((r) => r.status === "succeeded").map((r) => r.totalSeconds);
    row.medianSeconds = median(ok);
    row.bestSeconds = ok.length ? Math.min(...ok) : null;
    row.spread = spread(ok);
  }
  return result;
}

/** The main file's forms (DIALECT_VARIANTS), loaded by the bench process through a fresh worker each. */
export function measureDialects(
  opts: Omit<Parameters<typeof measureInterleaved>[0], "part" | "variants"> & { variants?: readonly DialectVariant[] },
): Promise<DialectResult> {
  return measureInterleaved({ ...opts, part: "dialects", variants: opts.variants ?? DIALECT_VARIANTS });
}

/** `--variants=canonical,gzip`: those rows only (an A/B of one change needs no other); all by default. */
export function selectVariants(keys?: readonly string[] | null): readonly DialectVariant[] {
  if (!keys?.length) return DIALECT_VARIANTS;
  const unknown = keys.filter((k) => !DIALECT_VARIANTS.some((v) => v.key === k));
  if (unknown.length) throw new Error(`unknown variant ${unknown.join(", ")}; known: ${DIALECT_VARIANTS.map((v) => v.key).join(", ")}`);
  return DIALECT_VARIANTS.filter((v) => keys.includes(v.key));
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
  const known = ok.filter((r) => Object.keys(r.timings).length > 0).length;
  // A load that did not run alongside the fetch (or the upload) shows a load phase of its own.
  const separate = ok.filter((r) => (r.timings.load ?? 0) >= 500).map((r) => ((r.timings.load ?? 0) / 1000).toFixed(1));
  return [
    wrongRows ? `**${wrongRows} runs loaded other than ${row.file.rows.toLocaleString("en-US")} rows**` : "rows ✓",
    wrongTypes.length ? `**types differ: ${wrongTypes.join(", ")}**` : "types ✓",
    known === 0 ? "" : exact ? `exact parser (${exact}/${ok.length})` : "fast path",
    separate.length ? `load after the fetch (${separate.join(" / ")} s)` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

const spreadCell = (s: number | null, runs: number) =>
  s === null ? "n/a" : runs < 2 ? "n/a (1 run)" : `${s.toFixed(2)}${s <= SPREAD_LIMIT ? "" : " **✗**"}`;

/** The interleaved table: every run in order, median, best and spread, and the medians' ratio to psql's. */
export function interleavedLines(d: DialectResult, fmt: (n: number) => string, heading: string, footnotes: string[]): string[] {
  const ratio = (s: number | null) =>
    s !== null && d.psqlMedianSeconds
      ? `${(s / d.psqlMedianSeconds).toFixed(2)} ×${s / d.psqlMedianSeconds <= DIALECT_LIMIT ? "" : " **✗**"}`
      : "";
  const canonicalBytes = d.rows.find((r) => r.key === "canonical")?.file.bytes ?? d.rows[0]!.file.bytes;
  const psqlRows = d.psqlTyped.map((p) => p.rows);
  const out = [
    heading,
    "",
    `| Variant | MB | Every run, request → succeeded (s) | Median s | Best s | Spread max/min (≤ ${SPREAD_LIMIT}) | MB/s (median) | ÷ psql-typed median (≤ ${DIALECT_LIMIT} ×) | Check |`,
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    `| psql \\copy of the canonical file → pre-typed table | ${(canonicalBytes / 1e6).toFixed(1)} | ${d.psqlTyped.map((p) => fmt(p.seconds)).join(" / ")} | ` +
      `${d.psqlMedianSeconds === null ? "n/a" : fmt(d.psqlMedianSeconds)} | ${d.psqlBestSeconds === null ? "n/a" : fmt(d.psqlBestSeconds)} | ` +
      `${spreadCell(d.psqlSpread, d.psqlTyped.length)} | ${d.psqlMedianSeconds ? (canonicalBytes / 1e6 / d.psqlMedianSeconds).toFixed(1) : ""} | 1.00 × | ` +
      `${psqlRows.every((n) => n === d.rows[0]!.file.rows) ? "rows ✓" : "**row count differs**"} |`,
  ];
  for (const row of d.rows) {
    const runs = row.runs.map((r) => (r.status === "succeeded" ? fmt(r.totalSeconds) : `**${r.status}**`)).join(" / ");
    const mbs = row.medianSeconds ? (row.file.bytes / 1e6 / row.medianSeconds).toFixed(1) : "";
    const okRuns = row.runs.filter((r) => r.status === "succeeded").length;
    out.push(
      `| ${row.label} | ${(row.file.bytes / 1e6).toFixed(1)} | ${runs || "no run"} | ${row.medianSeconds === null ? "n/a" : fmt(row.medianSeconds)} | ` +
        `${row.bestSeconds === null ? "n/a" : fmt(row.bestSeconds)} | ${spreadCell(row.spread, okRuns)} | ${mbs} | ${ratio(row.medianSeconds)} | ${check(row)} |`,
    );
  }
  out.push("", ...phaseLines(d, fmt));
  out.push("", `Round order (rotated by one each round): ${d.order.map((o) => o.join(" → ")).join("; ")}.`, ...footnotes);
  for (const row of d.rows) {
    const failed = row.runs.find((r) => r.status !== "succeeded");
    if (failed)
      out.push(`${row.key}: a run ended ${failed.status}: ${(failed.error ?? "no error recorded").split("\n")[0]!.slice(0, 300)}`);
  }
  if (d.error) out.push("", `${d.part === "api" ? "API" : "Variant"} part stopped early: ${d.error}`);
  return out;
}

/** The load's recorded phases, in the order they run; the rest of a total is queue and bookkeeping. */
const PHASES = ["fetch", "load", "apply", "refine", "typing"] as const;

/**
 * Where each variant's time goes, medians over its succeeded runs: the request to the worker's
 * start (registration, an upload, the queue pickup), each phase the load records in
 * dataset_loads.timings (the fetch includes the COPYs that run alongside it), and the rest
 * (bookkeeping after the phases; through the API, the run's later steps and the poll).
 */
export function phaseLines(d: DialectResult, fmt: (n: number) => string): string[] {
  const out = [`Where the time goes (medians of the succeeded runs, s): before the load starts · ${PHASES.join(" · ")} · rest`];
  for (const row of d.rows) {
    const ok = row.runs.filter((r) => r.status === "succeeded");
    if (!ok.length) continue;
    const before = median(ok.map((r) => r.beforeStartSeconds).filter((x): x is number => x !== null));
    const phases = PHASES.map((p) => median(ok.map((r) => (r.timings[p] ?? 0) / 1000)));
    const rest = median(
      ok.map((r) => r.totalSeconds - (r.beforeStartSeconds ?? 0) - PHASES.reduce((sum, p) => sum + (r.timings[p] ?? 0) / 1000, 0)),
    );
    const cell = (x: number | null) => (x === null ? "n/a" : fmt(x));
    out.push(`- ${row.key}: ${cell(before)} · ${phases.map(cell).join(" · ")} · ${cell(rest)}`);
  }
  return out;
}

export function dialectLines(d: DialectResult, fmt: (n: number) => string): string[] {
  return interleavedLines(
    d,
    fmt,
    `Forms of the main file, loaded on the defaults (no options) through a fresh worker each; ${d.rounds} interleaved rounds with psql → pre-typed; every run in order, then median, best and spread; targets on the medians:`,
    [
      `The Latin-1 file holds the same rows with every character ISO-8859-1 lacks (CJK, Cyrillic, ř, ễ, emoji…) written as "${LATIN1_REPLACEMENT}"; é, ü, ø, ß… are single bytes there and two-byte UTF-8 in the canonical file. The \`;\` file quotes only fields with \`;\`, \`"\` or a line break; the CRLF file ends every record with CRLF (line breaks inside quoted fields are as generated). ` +
        "The UTF-16LE file is FF FE and then the canonical file's text transcoded whole lines at a time (served as `text/csv`, no charset); the gzip file is the canonical file gzipped (zlib default level), served as-is as `application/gzip` at a `.csv.gz` URL, its MB and MB/s are the compressed bytes. " +
        "The upload streams the canonical file over HTTP on 127.0.0.1 from a client process of its own into the route handler of POST /v1/datasets/csv (multipart, Bearer token; bench/upload-route.ts); its total includes the upload.",
    ],
  );
}

/** One target per variant on its median ÷ psql's median, and one for the spread of every row's runs. */
export function interleavedTargets(
  d: DialectResult | null,
  variants: readonly DialectVariant[],
  prefix: string,
  skipped?: string,
): Target[] {
  const targets: Target[] = variants.map((v) => {
    const name = `${prefix} ${v.key}: total ÷ psql-into-pretyped (medians)`;
    const limit = `≤ ${DIALECT_LIMIT} ×`;
    const row = d?.rows.find((r) => r.key === v.key);
    if (!d || !row || row.medianSeconds === null || !d.psqlMedianSeconds) {
      return { name, limit, measured: skipped ?? (d ? (row?.runs.length ? "load failed" : "not measured") : "not measured"), holds: null };
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
  const spreadTarget: Target = {
    name: `${prefix}: spread, max ÷ min of each variant's runs`,
    limit: `≤ ${SPREAD_LIMIT}`,
    measured: skipped ?? "not measured",
    holds: null,
  };
  const measured = (d?.rows ?? []).filter((r) => r.spread !== null && r.runs.filter((x) => x.status === "succeeded").length >= 2);
  if (d && measured.length) {
    spreadTarget.measured = measured.map((r) => `${r.key} ${r.spread!.toFixed(2)}`).join(", ");
    if (d.psqlSpread !== null && d.psqlTyped.length >= 2) spreadTarget.measured += ` (psql ${d.psqlSpread.toFixed(2)})`;
    const over = measured.filter((r) => r.spread! > SPREAD_LIMIT);
    spreadTarget.holds = over.length === 0;
    spreadTarget.note = over.length ? `over for ${over.map((r) => r.key).join(", ")}` : undefined;
  } else if (d) {
    spreadTarget.measured = "needs ≥ 2 succeeded runs a variant";
  }
  return [...targets, spreadTarget];
}

export function dialectTargets(d: DialectResult | null, skipped?: string): Target[] {
  const variants = d ? DIALECT_VARIANTS.filter((v) => d.rows.some((r) => r.key === v.key)) : DIALECT_VARIANTS;
  return interleavedTargets(d, variants, "variant", skipped);
}
