import { addAbortSignal, Readable } from "node:stream";
import Papa from "papaparse";
import { CsvFormatError } from "./errors";
import { createFramer, type FramedRecord } from "./frame";

export interface SkippedRow {
  /** 1-based physical line where the record starts. */
  line: number;
  reason: string;
  /** The record as written (line breaks normalised), cut to RAW_PREVIEW_CHARS. */
  raw?: string;
}

/**
 * What a record whose field count differs from the header's does to the load.
 * pad (the default for new datasets): a short record gets NULLs for its missing trailing fields
 * and is counted; a long one is an error naming its line, unless its extra fields are all empty.
 * error ("fail" in datasets made before pad existed): any ragged record stops the load.
 * skip: ragged records are left out and counted, up to `max`.
 */
export type BadRowsPolicy = { mode: "fail" } | { mode: "error" } | { mode: "pad" } | { mode: "skip"; max: number };

export interface ParseCsvOptions {
  delimiter: string;
  /** Treat the first record as the header: returned, not passed to onRow. */
  header: boolean;
  /** Called once per data record, in order. Returning a promise pauses reading until it settles. */
  onRow: (fields: string[], lineNumber: number) => void | Promise<void>;
  /** Aborting destroys the input stream and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** What to do with a record whose field count differs from the first record's. Default: error. */
  badRows?: BadRowsPolicy;
  /** Every line ends with the delimiter: one empty last field is dropped from each record. */
  trailingDelimiter?: boolean;
  /** Physical line number of the first character of the input (after skipped preamble lines). */
  firstLine?: number;
  /** Largest single field, in UTF-8 bytes. Default 32 MiB. */
  maxFieldBytes?: number;
  /** Largest single record, in UTF-8 bytes. Default 128 MiB. */
  maxRecordBytes?: number;
}

export interface ParseCsvResult {
  /** The header record's raw values (see normalizeHeaders), or null without a header or input. */
  header: string[] | null;
  /** Data records passed to onRow. */
  rows: number;
  /** Skipped records, the first MAX_SKIPPED_KEPT of them (skippedCount says how many in all). */
  skipped: SkippedRow[];
  skippedCount: number;
  /** Short records that were given NULLs for their missing trailing fields. */
  padded: number;
  /** The first padded record's line, for the warning that points at an example. */
  firstPaddedLine: number | null;
}

/** Enough skipped rows to show what went wrong, without holding megabytes for a file of them. */
export const MAX_SKIPPED_KEPT = 100;

const MIB = 1024 * 1024;
/** Enough of a skipped record to recognise it in the UI, without keeping megabytes per row. */
const RAW_PREVIEW_CHARS = 1000;

/**
 * Streams decoded CSV text (string chunks, e.g. from createDecoderStream) into onRow.
 *
 * Back-pressure: the input is read with `for await`, which pulls one chunk at a time, and the
 * next chunk is not pulled until every onRow promise for the current one has settled. The
 * source therefore stays paused while the consumer is busy. papaparse's own streamer is not
 * used: its parser.pause() stops the parser but not the stream beneath it, which keeps
 * emitting 'data' until the whole file sits in memory.
 *
 * Records come from the framer (see frame.ts for why it exists); papaparse splits their fields.
 */
export async function parseCsvStream(input: Readable | AsyncIterable<string>, opts: ParseCsvOptions): Promise<ParseCsvResult> {
  const { onRow, signal } = opts;
  const policy = opts.badRows ?? { mode: "fail" };
  const framer = createFramer({
    delimiter: opts.delimiter,
    maxFieldBytes: opts.maxFieldBytes ?? 32 * MIB,
    maxRecordBytes: opts.maxRecordBytes ?? 128 * MIB,
    firstLine: opts.firstLine,
  });
  // One "\n" per record because the framer joins records with "\n"; quoted line breaks stay
  // inside quotes, where papaparse does not look for newlines.
  const parser = new Papa.Parser({ delimiter: opts.delimiter, newline: "\n", quoteChar: '"' });

  let header: string[] | null = null;
  let expected = -1;
  let rows = 0;
  const skipped: SkippedRow[] = [];
  let skippedCount = 0;
  let padded = 0;
  let firstPaddedLine: number | null = null;
  const trailing = opts.trailingDelimiter ?? false;

  /** The record to load in place of a ragged one, or null to leave it out. */
  function ragged(record: FramedRecord, fields: string[]): string[] | null {
    const found = fields.length;
    if (found > expected && fields.slice(expected).every((f) => f === "") && policy.mode !== "fail" && policy.mode !== "error") {
      return fields.slice(0, expected); // only empty fields beyond the header: nothing is lost
    }
    if (found < expected && policy.mode === "pad") {
      padded++;
      firstPaddedLine ??= record.line;
      while (fields.length < expected) fields.push("");
      return fields;
    }
    const count = (n: number) => `${n} field${n === 1 ? "" : "s"}`;
    const reason = `expected ${count(expected)}, found ${found}`;
    if (policy.mode === "skip" && skippedCount < policy.max) {
      skippedCount++;
      if (skipped.length < MAX_SKIPPED_KEPT) skipped.push({ line: record.line, reason, raw: record.text.slice(0, RAW_PREVIEW_CHARS) });
      return null;
    }
    const stop =
      policy.mode === "skip"
        ? ` Stopped after skipping ${policy.max} bad rows.`
        : found > expected
          ? " The record has more fields than the header: check its quotes and delimiters."
          : "";
    throw new CsvFormatError("ragged", `Line ${record.line}: ${reason}.${stop}`, { line: record.line });
  }

  async function deliver(records: FramedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const batch = records.length === 1 ? records[0].text : records.map((r) => r.text).join("\n");
    const data = (parser.parse(batch, 0, false) as { data: string[][] }).data;
    if (data.length !== records.length) {
      // Would mean the framer and papaparse disagree on record boundaries: a bug, not bad input.
      throw new Error(`CSV parser out of step: ${records.length} records framed, ${data.length} parsed`);
    }
    for (let k = 0; k < data.length; k++) {
      let fields = data[k];
      // "a,b,c," : the last delimiter ends the line rather than starting a field.
      if (trailing && fields.length > 1 && fields[fields.length - 1] === "" && (expected < 0 || fields.length > expected)) fields.pop();
      if (expected < 0) {
        expected = fields.length;
        if (opts.header) {
          header = fields;
          continue;
        }
      }
      if (fields.length !== expected) {
        const kept = ragged(records[k], fields);
        if (!kept) continue;
        fields = kept;
      }
      const pending = onRow(fields, records[k].line);
      if (pending !== undefined && typeof pending.then === "function") {
        await pending;
        signal?.throwIfAborted();
      }
      rows++;
    }
  }

  signal?.throwIfAborted();
  if (signal && input instanceof Readable) addAbortSignal(signal, input);

  let first = true;
  for await (const chunk of input as AsyncIterable<unknown>) {
    if (typeof chunk !== "string") {
      throw new TypeError("parseCsvStream expects decoded text chunks; pipe bytes through createDecoderStream first");
    }
    signal?.throwIfAborted();
    let text = chunk;
    if (first && text.length > 0) {
      // The decoder strips the BOM; this catches callers that decoded some other way, where a
      // leftover U+FEFF would end up glued to the first header.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const { records, error } = framer.push(text);
    await deliver(records);
    if (error) throw error;
  }
  const { records, error } = framer.end();
  await deliver(records);
  if (error) throw error;

  return { header, rows, skipped, skippedCount, padded, firstPaddedLine };
}
