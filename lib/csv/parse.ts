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

export type BadRowsPolicy = { mode: "fail" } | { mode: "skip"; max: number };

export interface ParseCsvOptions {
  delimiter: string;
  /** Treat the first record as the header: returned, not passed to onRow. */
  header: boolean;
  /** Called once per data record, in order. Returning a promise pauses reading until it settles. */
  onRow: (fields: string[], lineNumber: number) => void | Promise<void>;
  /** Aborting destroys the input stream and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** What to do with a record whose field count differs from the first record's. Default: fail. */
  badRows?: BadRowsPolicy;
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
  skipped: SkippedRow[];
}

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
  });
  // One "\n" per record because the framer joins records with "\n"; quoted line breaks stay
  // inside quotes, where papaparse does not look for newlines.
  const parser = new Papa.Parser({ delimiter: opts.delimiter, newline: "\n", quoteChar: '"' });

  let header: string[] | null = null;
  let expected = -1;
  let rows = 0;
  const skipped: SkippedRow[] = [];

  function ragged(record: FramedRecord, found: number): void {
    const fields = (n: number) => `${n} field${n === 1 ? "" : "s"}`;
    const reason = `expected ${fields(expected)}, found ${found}`;
    if (policy.mode === "skip" && skipped.length < policy.max) {
      skipped.push({ line: record.line, reason, raw: record.text.slice(0, RAW_PREVIEW_CHARS) });
      return;
    }
    const stop = policy.mode === "skip" ? ` Stopped after skipping ${policy.max} bad rows.` : "";
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
      const fields = data[k];
      if (expected < 0) {
        expected = fields.length;
        if (opts.header) {
          header = fields;
          continue;
        }
      }
      if (fields.length !== expected) {
        ragged(records[k], fields.length);
        continue;
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

  return { header, rows, skipped };
}
