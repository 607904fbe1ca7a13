// Where the table starts in a file's head and how its lines end: preamble lines before the
// header (titles, source notes — statistics-office exports), a delimiter closing every line, and
// whether the first record is a header at all. Pure and free of Node APIs, so the browser's
// preview before an upload follows the same rules as the server (lib/csv/sniff.ts).

import { classifyText, createTypeInferrer } from "./infer";

export interface HeadRecord {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  /** Index in the text where the record starts. */
  start: number;
}

export interface Layout {
  /** Records before the header (or before the first data record without a header). */
  preambleRecords: number;
  /** Index in the text where the table (its header, or first record) starts. */
  start: number;
  /** Physical line of that point: line numbers in errors stay the file's own. */
  startLine: number;
  /** Every record ends with the delimiter: the empty field after it is a terminator, not a column. */
  trailingDelimiter: boolean;
  /** False when the first record looks like data (every field a number or date). */
  header: boolean;
  /** How many fields a record has (after a trailing delimiter is taken off). */
  columns: number;
}

const MAX_RECORDS = 200;

/**
 * Where physical line `line` starts in the text (CRLF, LF and CR each end a line, quoted or not:
 * the line numbers a user sees in an editor), or how many lines the text has when it has fewer.
 */
export function physicalLineStart(text: string, line: number): { start: number } | { lines: number } {
  let at = 0;
  for (let n = 1; n < line; n++) {
    const lf = text.indexOf("\n", at);
    const cr = text.indexOf("\r", at);
    const next = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
    if (next === -1) return { lines: n };
    at = next + (text[next] === "\r" && text[next + 1] === "\n" ? 2 : 1);
  }
  return { start: at };
}
/** A preamble is a few lines of notes; beyond this the "header" found is more likely data. */
const MAX_PREAMBLE = 40;
/** Share of records that must end with an empty field for the delimiter to be a terminator. */
const TRAILING_SHARE = 0.9;

/**
 * The first records of the head, quote-aware. The last record is dropped unless `complete`
 * (the head is the whole file): it is probably cut off.
 */
export function splitHeadRecords(text: string, delimiter: string, complete: boolean, max = MAX_RECORDS): HeadRecord[] {
  const records: HeadRecord[] = [];
  const delim = delimiter.charCodeAt(0);
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let fieldStart = true;
  let line = 1;
  let recordLine = 1;
  let recordStart = 0;
  let hasContent = false;
  const endRecord = () => {
    fields.push(field);
    if (hasContent) records.push({ fields, line: recordLine, start: recordStart });
    fields = [];
    field = "";
    fieldStart = true;
    hasContent = false;
  };
  for (let i = 0; i < text.length && records.length < max; i++) {
    const c = text.charCodeAt(i);
    if (!hasContent && c !== 0x0a && c !== 0x0d) {
      hasContent = true;
      recordLine = line;
      recordStart = i;
    }
    if (inQuotes) {
      if (c === 0x22) {
        if (text.charCodeAt(i + 1) === 0x22) {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) line++;
        field += text[i];
      }
      continue;
    }
    if (c === 0x0a || c === 0x0d) {
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      line++;
      endRecord();
      continue;
    }
    if (c === delim) {
      fields.push(field);
      field = "";
      fieldStart = true;
      continue;
    }
    if (c === 0x22 && fieldStart && field === "") {
      inQuotes = true;
      fieldStart = false;
      continue;
    }
    fieldStart = false;
    field += text[i];
  }
  if (complete && hasContent && records.length < max) {
    fields.push(field);
    records.push({ fields, line: recordLine, start: recordStart });
  }
  return records;
}

function mostCommon(values: number[]): number {
  const freq = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const v of values) {
    const n = (freq.get(v) ?? 0) + 1;
    freq.set(v, n);
    if (n > bestCount || (n === bestCount && v > best)) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

const nonEmpty = (fields: string[]) => fields.reduce((n, f) => (f.trim() === "" ? n : n + 1), 0);
const endsEmpty = (fields: string[]) => fields.length > 1 && fields[fields.length - 1] === "";

/**
 * Finds the table in the head's records. The width of the table is the most common field count;
 * records before the first one of that width with at least two (or half its) filled fields are
 * preamble — a title, a note ("Source: …, 2021"), a line of an Excel export padded with
 * delimiters. A file with no such record is read from its first record.
 */
export function detectLayout(text: string, delimiter: string, complete: boolean): Layout {
  const records = splitHeadRecords(text, delimiter, complete);
  if (records.length === 0) return { preambleRecords: 0, start: 0, startLine: 1, trailingDelimiter: false, header: true, columns: 0 };
  // The table's width from the later half of the head: a long preamble (a dozen "# COLUMN …"
  // lines of an archive export) must not outvote a table that is still short in the head.
  // (A head of a few records is too short to halve: all of it counts.)
  const later = records.length >= 10 ? records.slice(Math.floor(records.length / 2)) : records;
  const rawWidth = mostCommon(later.map((r) => r.fields.length));
  const wide = records.filter((r) => r.fields.length === rawWidth);
  // A last column that is empty on (nearly) every line of the table's width is a terminator —
  // unless the header names it, which the check below on the header itself decides.
  const emptyLast = wide.filter((r) => endsEmpty(r.fields)).length;
  // Two records agreeing make a pattern; one is enough when the first record is one field
  // narrower ("a,b,c" over "1,2,3,": a two-line file).
  const mayTrail =
    rawWidth > 1 &&
    (wide.length >= 2 || records[0]!.fields.length === rawWidth - 1) &&
    wide.length > 0 &&
    emptyLast >= wide.length * TRAILING_SHARE;

  // A header wider than most records heads a file of short rows (missing trailing fields); a
  // wider note in a preamble has no record of its width after it.
  const widerHeader = (at: number, n: number) =>
    records.slice(at + 1).some((r) => r.fields.length === n) && records.slice(at + 1).every((r) => r.fields.length <= n);
  const fits = (r: HeadRecord, at: number) => {
    const n = r.fields.length;
    const filled = nonEmpty(r.fields);
    const headerOnlyTrails = n === rawWidth + 1 && endsEmpty(r.fields); // "a,b,c," over "1,2,3"
    // The first record, wider than every row after it and filled: the header of a file whose
    // rows all lack their last fields ("name,score,comment" over "Alice,90").
    const fullFirst = at === 0 && n > rawWidth && filled === n;
    if (n !== rawWidth && !(mayTrail && n === rawWidth - 1) && !headerOnlyTrails && !fullFirst && !(n > rawWidth && widerHeader(at, n)))
      return false;
    const width = mayTrail ? rawWidth - 1 : rawWidth;
    // A sparse record of numbers and dates is a row of data (a headerless file), not a note.
    return width < 2 || filled >= Math.min(2, width) || filled >= Math.ceil(width / 2) || isDataRow(r.fields);
  };
  let first = 0;
  while (first < records.length && first < MAX_PREAMBLE && !fits(records[first]!, first)) first++;
  if (first === records.length || first === MAX_PREAMBLE || rawWidth < 2) first = 0;

  const head = records[first]!;
  const headerOnly = !mayTrail && head.fields.length === rawWidth + 1 && endsEmpty(head.fields);
  const trailingDelimiter = headerOnly || (mayTrail && (head.fields.length === rawWidth - 1 || endsEmpty(head.fields)));
  const width = headerOnly ? rawWidth : trailingDelimiter ? rawWidth - 1 : Math.max(rawWidth, head.fields.length);
  return {
    preambleRecords: first,
    start: head.start,
    startLine: head.line,
    trailingDelimiter,
    header: !firstRecordIsData(head.fields.slice(0, width), records.slice(first + 1, first + 51), width),
    columns: width,
  };
}

/** Every filled field a number or a date: what data looks like and names do not. */
function isDataRow(fields: string[]): boolean {
  const filled = fields.map((f) => f.trim()).filter((f) => f !== "");
  return filled.length > 0 && filled.every((f) => NUMBER_OR_DATE.has(classifyText(f)));
}

const NUMBER_OR_DATE = new Set(["bigint", "numeric", "date", "timestamp", "timestamptz"]);

/**
 * Whether the first record is data rather than names (a Unix data file, a sensor log): every
 * filled field is a number or a date of exactly the type its column has in the records below. A word
 * makes it a header; so does a type its column does not share — "2019" over 1.5 and 2.5 names a
 * year, "t" or "y" over numbers names a column (boolean words are never taken for data here).
 */
function firstRecordIsData(fields: string[], below: HeadRecord[], width: number): boolean {
  const values = fields.map((f) => f.trim());
  if (values.every((v) => v === "")) return false;
  const types = values.map((v) => (v === "" ? null : classifyText(v)));
  if (!types.every((t) => t === null || NUMBER_OR_DATE.has(t))) return false;
  if (below.length === 0) return !types.includes(null);
  const inferrer = createTypeInferrer(width);
  for (const r of below) inferrer.observe(r.fields.map((f) => f.trim()));
  const columns = inferrer.result();
  // An empty field is a missing value over a typed column, but a header's unnamed column (R's
  // row names) over text.
  return types.every((t, i) => (t === null ? columns[i] !== "text" : columns[i] === t));
}
