import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";

/**
 * The benchmark's CSV: 12 mixed columns, deterministic for a given row count (seeded PRNG), so
 * every run and every machine loads byte-identical files. Cached under bench/.cache/.
 */

// Bump when the generator's output changes, so stale cached files are not reused.
const GENERATOR_VERSION = 1;
const SEED = 0x5eed_2024;

export type BenchColumn = { name: string; pgType: string };

/** The types a correct loader ends up with; also the pre-typed psql baseline's DDL. */
export const BENCH_COLUMNS: readonly BenchColumn[] = [
  { name: "id", pgType: "bigint" },
  { name: "qty", pgType: "bigint" },
  { name: "price", pgType: "numeric" },
  { name: "ratio", pgType: "numeric" },
  { name: "order_date", pgType: "date" },
  { name: "created_at", pgType: "timestamp" },
  { name: "updated_at", pgType: "timestamptz" },
  { name: "active", pgType: "boolean" },
  { name: "customer", pgType: "text" },
  { name: "comment", pgType: "text" },
  { name: "zip", pgType: "text" },
  { name: "score", pgType: "bigint" },
];

export type GeneratedCsv = { path: string; rows: number; bytes: number; generatedNow: boolean; seconds: number };

/** mulberry32: tiny, fast, and good enough to make data look varied. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How the same rows are written: the canonical file is comma + LF + UTF-8; the bench's dialect
 * variants change one thing each. Quoting follows the delimiter (a field with a comma needs no
 * quotes in a `;` file); line breaks inside quoted fields stay as generated.
 */
export type CsvDialect = { delimiter: "," | ";"; newline: "\n" | "\r\n"; encoding: "utf-8" | "latin1" };

export const CANONICAL: CsvDialect = { delimiter: ",", newline: "\n", encoding: "utf-8" };

/** Characters ISO-8859-1 cannot hold (CJK, Cyrillic, ř, ễ, emoji…) become "?" in the Latin-1 file. */
export const LATIN1_REPLACEMENT = "?";
const NOT_LATIN1 = /[^\u0000-\u00ff]/gu;

function dialectSuffix(d: CsvDialect): string {
  const parts = [d.delimiter === ";" ? "semicolon" : "", d.newline === "\r\n" ? "crlf" : "", d.encoding === "latin1" ? "latin1" : ""];
  return parts
    .filter(Boolean)
    .map((p) => `-${p}`)
    .join("");
}

function csvField(value: string, delimiter = ","): string {
  const special = delimiter === "," ? /[",\n\r]/ : /[";\n\r]/;
  return special.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const FIRST = ["José", "Zoë", "Jürgen", "Amélie", "Søren", "Łukasz", "Анна", "太郎", "花子", "Chloé", "Mia", "Noah", "Oliver", "Emma"];
const LAST = ["Müller", "García", "Dvořák", "Ångström", "日本", "山田", "Nguyễn", "O'Brien", "Smith", "Björk", "Øster", "Lefèvre"];
const EMOJI = ["", "", "", " 😀", " 🚀", " 🎉", " ☕", " 👩‍💻"];
const WORDS = [
  "shipped",
  "late",
  "refund",
  "naïve",
  "café",
  "crème brûlée",
  "größe",
  "東京",
  "order",
  "box",
  "fragile",
  "ok",
  "urgent",
  "gift",
];

/** Pre-escaped pools: picking from them keeps the hot loop to a few string concatenations. */
function buildPools(rng: () => number, delimiter: CsvDialect["delimiter"]): { names: string[]; comments: string[] } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)];
  const names: string[] = [];
  for (let i = 0; i < 2048; i++) {
    const [first, last, emoji] = [pick(FIRST), pick(LAST), pick(EMOJI)];
    // Some names carry a comma ("Müller, José") and therefore need quoting.
    names.push(csvField(rng() < 0.2 ? `${last}, ${first}${emoji}` : `${first} ${last}${emoji}`, delimiter));
  }
  const comments: string[] = [];
  for (let i = 0; i < 4096; i++) {
    const words = Array.from({ length: 2 + Math.floor(rng() * 7) }, () => pick(WORDS));
    let text = words.join(rng() < 0.4 ? ", " : " ");
    const r = rng();
    if (r < 0.15) text = `He said "${text}", then left`;
    else if (r < 0.25) text = `${text}\nsecond line, with "quotes"`;
    else if (r < 0.3) text = `${text}\r\nwindows line\nand a third`;
    comments.push(csvField(text, delimiter));
  }
  return { names, comments };
}

const DAY_MS = 86_400_000;
const BASE_MS = Date.UTC(2000, 0, 1);
const OFFSETS = ["Z", "Z", "Z", "+02:00", "-05:00", "+05:30", "+09:00"];

export function csvHeader(dialect: CsvDialect = CANONICAL): string {
  return BENCH_COLUMNS.map((c) => c.name).join(dialect.delimiter) + dialect.newline;
}

/**
 * Writes rows [0, rows) to `target` in big string batches; the stream's back-pressure is respected.
 * Every dialect draws the same random numbers in the same order, so it holds the same values.
 */
async function writeCsv(target: string, rows: number, dialect: CsvDialect): Promise<void> {
  const rng = createRng(SEED);
  const { names, comments } = buildPools(rng, dialect.delimiter);
  const out = fs.createWriteStream(target, { flags: "wx", highWaterMark: 4 * 1024 * 1024 });
  const closed = once(out, "close");
  const d = dialect.delimiter;
  const nl = dialect.newline;
  const encode = (text: string) =>
    dialect.encoding === "latin1" ? Buffer.from(text.replace(NOT_LATIN1, LATIN1_REPLACEMENT), "latin1") : text;
  let batch = csvHeader(dialect);
  const BATCH_CHARS = 4 * 1024 * 1024;
  for (let i = 0; i < rows; i++) {
    const qty = rng() < 0.05 ? "" : String(1 + Math.floor(rng() * 9_999));
    const price = (rng() * 100_000).toFixed(2);
    const r = rng();
    const ratio = r < 0.1 ? "" : r < 0.12 ? `${(rng() * 9 + 1).toFixed(3)}e-${1 + Math.floor(rng() * 9)}` : ((rng() - 0.5) * 2).toFixed(6);
    const dayMs = BASE_MS + Math.floor(rng() * 11_000) * DAY_MS;
    const orderDate = new Date(dayMs).toISOString().slice(0, 10);
    const created = new Date(dayMs + Math.floor(rng() * DAY_MS)).toISOString();
    const createdAt = rng() < 0.5 ? created.slice(0, 19) : created.slice(0, 23);
    const updatedAt = rng() < 0.08 ? "" : created.slice(0, 19) + OFFSETS[Math.floor(rng() * OFFSETS.length)];
    const active = rng() < 0.03 ? "" : rng() < 0.5 ? "true" : "false";
    const customer = names[Math.floor(rng() * names.length)];
    const comment = rng() < 0.15 ? "" : comments[Math.floor(rng() * comments.length)];
    const zip = String(Math.floor(rng() * 100_000)).padStart(5, "0");
    const score = rng() < 0.05 ? "" : String(Math.floor((rng() - 0.3) * 1e12));
    batch +=
      `${i + 1}${d}${qty}${d}${price}${d}${ratio}${d}${orderDate}${d}${createdAt}${d}${updatedAt}${d}${active}${d}` +
      `${customer}${d}${comment}${d}${zip}${d}${score}${nl}`;
    if (batch.length >= BATCH_CHARS) {
      if (!out.write(encode(batch))) await once(out, "drain");
      batch = "";
    }
  }
  out.end(encode(batch));
  await closed;
}

/**
 * Returns the cached file for `rows` (in `dialect`, canonical by default), generating it first (to
 * a temp name, then renamed) if missing.
 */
export async function ensureCsv(cacheDir: string, rows: number, dialect: CsvDialect = CANONICAL): Promise<GeneratedCsv> {
  await fsp.mkdir(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `bench-${rows}-rows-v${GENERATOR_VERSION}${dialectSuffix(dialect)}.csv`);
  const started = Date.now();
  const existing = await fsp.stat(file).catch(() => null);
  if (existing?.isFile() && existing.size > 0) {
    return { path: file, rows, bytes: existing.size, generatedNow: false, seconds: 0 };
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeCsv(tmp, rows, dialect);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  const { size } = await fsp.stat(file);
  return { path: file, rows, bytes: size, generatedNow: true, seconds: (Date.now() - started) / 1000 };
}

/** How a variant file is made from the canonical one: transcoded to UTF-16LE with a BOM, or gzipped. */
export type CsvDerivation = "utf16le-bom" | "gzip";

/**
 * Returns the cached `derivation` of `canonical` (bench/.cache/<canonical>-utf16le-bom.csv or
 * <canonical>.csv.gz), making it first (to a temp name, then renamed) if missing. The UTF-16 file
 * is FF FE, then the canonical file's text: each chunk is cut after its last LF, so only whole
 * lines (never half a UTF-8 sequence, never half a surrogate pair) are transcoded at a time. The
 * gzip file is the canonical file's bytes through zlib at the default level.
 */
export async function ensureDerivedCsv(canonical: GeneratedCsv, derivation: CsvDerivation): Promise<GeneratedCsv> {
  const base = canonical.path.replace(/\.csv$/, "");
  const file = derivation === "gzip" ? `${base}.csv.gz` : `${base}-utf16le-bom.csv`;
  const started = Date.now();
  const existing = await fsp.stat(file).catch(() => null);
  if (existing?.isFile() && existing.size > 0) {
    return { path: file, rows: canonical.rows, bytes: existing.size, generatedNow: false, seconds: 0 };
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    if (derivation === "gzip") {
      const { createGzip } = await import("node:zlib");
      const { pipeline } = await import("node:stream/promises");
      await pipeline(
        fs.createReadStream(canonical.path, { highWaterMark: 1024 * 1024 }),
        createGzip(),
        fs.createWriteStream(tmp, { flags: "wx" }),
      );
    } else {
      const out = fs.createWriteStream(tmp, { flags: "wx", highWaterMark: 4 * 1024 * 1024 });
      const closed = once(out, "close");
      const write = async (chunk: Buffer) => {
        if (!out.write(chunk)) await once(out, "drain");
      };
      await write(Buffer.from([0xff, 0xfe]));
      let carry = Buffer.alloc(0);
      for await (const piece of fs.createReadStream(canonical.path, { highWaterMark: 4 * 1024 * 1024 })) {
        const bytes = carry.length ? Buffer.concat([carry, piece as Buffer]) : (piece as Buffer);
        const cut = bytes.lastIndexOf(0x0a) + 1;
        if (cut > 0) await write(Buffer.from(bytes.toString("utf8", 0, cut), "utf16le"));
        carry = Buffer.from(bytes.subarray(cut));
      }
      if (carry.length) await write(Buffer.from(carry.toString("utf8"), "utf16le"));
      out.end();
      await closed;
    }
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  const { size } = await fsp.stat(file);
  return { path: file, rows: canonical.rows, bytes: size, generatedNow: true, seconds: (Date.now() - started) / 1000 };
}
