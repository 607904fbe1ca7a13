import { CsvFormatError, formatCount } from "./errors";

/** Columns the loader adds to every staging table; user columns must never take these names. */
export const RESERVED_COLUMNS = ["_rb_line", "_rb_version", "_rb_loaded_at"] as const;

/** PostgreSQL's hard limit on columns in one table. */
export const PG_MAX_COLUMNS = 1600;

/** The reserved columns live in the same table, so they count against PostgreSQL's limit. */
export const MAX_FILE_COLUMNS = PG_MAX_COLUMNS - RESERVED_COLUMNS.length;

/** PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1), which can merge two names. */
export const PG_MAX_IDENTIFIER_BYTES = 63;

export interface NormalizedHeader {
  /** Safe column name: [a-z0-9_], at most 63 bytes, unique, never starting with "_" or a digit. */
  name: string;
  /** The header as written in the file, for display. */
  header: string;
}

/** Letters NFKD does not decompose into ASCII plus combining marks. */
const FOLD: Record<string, string> = {
  ß: "ss",
  ẞ: "ss",
  æ: "ae",
  Æ: "ae",
  œ: "oe",
  Œ: "oe",
  ø: "o",
  Ø: "o",
  đ: "d",
  Đ: "d",
  ð: "d",
  Ð: "d",
  þ: "th",
  Þ: "th",
  ł: "l",
  Ł: "l",
  ı: "i",
  ħ: "h",
  Ħ: "h",
  ŧ: "t",
  Ŧ: "t",
};
const FOLD_RE = new RegExp(`[${Object.keys(FOLD).join("")}]`, "g");

/**
 * The header folded to a safe name, or "" if nothing usable is left. Everything outside
 * [a-z0-9] collapses to "_" and leading/trailing "_" are trimmed, which is also what keeps the
 * loader's "_rb_*" names out of reach. Quote characters cannot survive, so no header can
 * break out of SQL.
 */
function foldName(raw: string): string {
  let s = raw
    .replace(FOLD_RE, (ch) => FOLD[ch])
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (/^[0-9]/.test(s)) s = `c_${s}`;
  return fit(s, PG_MAX_IDENTIFIER_BYTES);
}

/** Cut to `max` bytes (names are ASCII by now, so bytes = characters) without a dangling "_". */
function fit(name: string, max: number): string {
  return name.length <= max ? name : name.slice(0, max).replace(/_+$/, "");
}

/**
 * Turns a file's header row into column names that are safe, unique PostgreSQL identifiers.
 * Names that are unique in the file keep their natural form; later duplicates get _2, _3, …,
 * skipping anything already taken, so ["a", "a", "a_2"] becomes a, a_3, a_2, and a real
 * "column_1" header wins over the placeholder for an empty first header.
 * Keywords ("select", "order") are allowed: every identifier is quoted with quoteIdent.
 */
export function normalizeHeaders(raw: string[]): NormalizedHeader[] {
  if (raw.length > MAX_FILE_COLUMNS) {
    throw new CsvFormatError(
      "too_many_columns",
      `This file has ${formatCount(raw.length)} columns; PostgreSQL allows at most ${formatCount(PG_MAX_COLUMNS)} ` +
        `per table and Relayboard keeps ${RESERVED_COLUMNS.length} for its own bookkeeping, ` +
        `so a file can have at most ${formatCount(MAX_FILE_COLUMNS)}.`,
    );
  }
  const folded = raw.map(foldName);
  const bases = folded.map((f, i) => f || `column_${i + 1}`);
  const taken = new Set<string>(RESERVED_COLUMNS);
  const names: (string | null)[] = bases.map(() => null);
  // Names the file actually spells out are claimed before generated column_N placeholders.
  const generated = folded.map((f) => f === "");
  for (const pass of [false, true]) {
    bases.forEach((b, i) => {
      if (generated[i] !== pass || taken.has(b)) return;
      taken.add(b);
      names[i] = b;
    });
  }
  const nextSuffix = new Map<string, number>(); // so N copies of one name cost N, not N²
  return raw.map((header, i) => {
    let name = names[i];
    let n = nextSuffix.get(bases[i]) ?? 2;
    for (; name === null; n++) {
      const suffix = `_${n}`;
      const candidate = fit(bases[i], PG_MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        name = candidate;
      }
    }
    nextSuffix.set(bases[i], n);
    return { name, header };
  });
}

/**
 * The one way to put an identifier into SQL. Doubles embedded quotes as PostgreSQL requires.
 * Refuses what PostgreSQL would mangle rather than reject: NUL (cannot be sent), lone
 * surrogates (not encodable as UTF-8) and names over 63 bytes (silently truncated, so two
 * distinct names could become one).
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error("quoteIdent: empty identifier");
  if (name.includes("\0")) throw new Error("quoteIdent: identifier contains NUL");
  if (/\p{Cs}/u.test(name)) throw new Error("quoteIdent: identifier is not valid Unicode");
  if (Buffer.byteLength(name, "utf8") > PG_MAX_IDENTIFIER_BYTES) {
    throw new Error(`quoteIdent: identifier longer than ${PG_MAX_IDENTIFIER_BYTES} bytes`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}
