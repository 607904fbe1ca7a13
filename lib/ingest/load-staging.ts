import { once } from "node:events";
import zlib from "node:zlib";
import { pipeline, Transform, type Readable, type Writable } from "node:stream";
import type { ReservedSql } from "postgres";
import type { ColumnType, DatasetOptions, DetectedDialect, TypedScratch } from "@/db/schema/datasets";
import { sniffBytes, type SniffResult } from "@/lib/csv/sniff";
import {
  findInvalidUtf8,
  invalidUtf8Error,
  isUtf8Label,
  isWideEncoding,
  postgresSingleByteEncoding,
  resolveEncodingLabel,
} from "@/lib/csv/encoding";
import { detectEncoding } from "@/lib/csv/detect-encoding";
import { fastPathTranscoder } from "@/lib/csv/transcode";
import { createByteLocator } from "@/lib/csv/locate";
import { nullMarkersOf } from "@/lib/ingest/refine-types";
import { FastPathUnsupported } from "@/lib/csv/copy-scan";
import { loadFast } from "@/lib/ingest/load-fast";
import { createScratchTable, emptyFileError } from "@/lib/ingest/scratch-table";
import { createDecoderStream } from "@/lib/csv/decode";
import { normalizeHeaders, quoteIdent, type NormalizedHeader } from "@/lib/csv/headers";
import { createTypeInferrer, castCheck, type TypeInferrer } from "@/lib/csv/infer";
import { parseCsvStream, type SkippedRow } from "@/lib/csv/parse";
import { CsvFormatError } from "@/lib/csv/errors";
import { copyLine } from "@/lib/ingest/copy-text";
import { readHead } from "@/lib/ingest/read-head";
import { createByteCap } from "@/lib/ingest/byte-cap";

export const SNIFF_BYTES = 64 * 1024;
// COPY data is sent in batches of about this size: big enough to amortise write calls, small
// enough that back-pressure from a slow server keeps memory flat.
const COPY_BATCH_CHARS = 256 * 1024;

export type StagedColumn = NormalizedHeader & { inferredType: ColumnType };

export type StagingLoadResult = {
  columns: StagedColumn[];
  rows: number;
  /** The first skipped rows (MAX_SKIPPED_KEPT); skippedCount says how many in all. */
  skipped: SkippedRow[];
  skippedCount: number;
  /** Short rows given NULLs for their missing trailing fields, and the first one's line. */
  padded: number;
  firstPaddedLine: number | null;
  /** How the file was read: every decision the sniff made (see lib/csv/sniff.ts). */
  dialect: DetectedDialect;
  delimiter: string;
  encoding: string;
  /** Which parser read the file: COPY's own (the fast path) or Relayboard's exact one. */
  parser: "fast" | "exact";
  /** How many COPYs shared the rows (the fast path uses two for large files). */
  lanes?: number;
  /** The typed twin of the scratch table, when one was asked for and took every row. */
  typed?: TypedScratch;
  /** Why a typed twin that was asked for is not there (for the load's log and the bench). */
  typedMiss?: string;
};

export type StagingLoadInput = {
  /** A connection reserved for this load (COPY holds it for the duration). */
  sql: ReservedSql;
  /** Opens the stored file from its start; called again if the fast path hands over. */
  open: () => Promise<Readable>;
  /** Fully qualified, already-quoted scratch table to create and fill. */
  table: string;
  versionNumber: number;
  options: DatasetOptions;
  /** Column name → the user's type; values must cast losslessly or the load fails. */
  overrides: ReadonlyMap<string, ColumnType>;
  onProgress: (p: { bytesRead: number; rows: number }) => void;
  signal?: AbortSignal;
  /** Cap on the decompressed size of a gzip upload (MAX_SOURCE_BYTES). */
  maxBytes: number;
  /**
   * Bare name (in the warehouse schema) of the typed twin (lib/ingest/load-fast.ts, openTypedLane), filled
   * alongside on a connection of its own when the load replaces its table. Fast path only.
   */
  typedTable?: string;
  /** A second connection for large files on the fast path: two COPYs share the records. */
  extraConnection?: () => Promise<ReservedSql>;
  /** "exact" skips the fast path (tests compare the two). Default "auto". */
  parser?: "auto" | "exact";
  /** Told when a file leaves the fast path, and why (for the load's log). */
  onFallback?: (reason: string) => void;
};

/** A sniffed file, ready to stream from its first byte (gzip already undone). */
export type OpenedCsv = { head: Buffer; whole: Readable; sniffed: SniffResult };

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(head: Buffer): boolean {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * The stored object, ready to sniff: an uploaded .csv.gz is decompressed here (URL sources were
 * decompressed while fetching), with the same byte cap applied to what it inflates to.
 */
async function openSource(source: Readable, maxBytes: number): Promise<{ head: Buffer; whole: Readable }> {
  // A head shorter than asked for is the whole file (readHead reads until it has enough).
  const first = await readHead(source, SNIFF_BYTES);
  if (!isGzip(first.head)) return first;
  const inflated = pipeline(first.whole, zlib.createGunzip(), createByteCap(maxBytes), () => {});
  return readHead(inflated, SNIFF_BYTES);
}

/** A URL that answers with a web page (a login screen, an error page) is not a CSV. */
function refuseHtml(head: Buffer): void {
  const start = head
    .subarray(0, 512)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart()
    .toLowerCase();
  if (start.startsWith("<!doctype html") || start.startsWith("<html") || (start.startsWith("<head") && start.includes("<body"))) {
    throw new CsvFormatError(
      "binary",
      "This is a web page (HTML), not a CSV file. If the URL needs a login or shows a preview page, use the file's direct download link.",
    );
  }
}

/**
 * Streams one CSV into a fresh all-text scratch table through COPY, inferring column types over
 * every row on the way. The table gets metadata columns: the source line number, the version
 * and the load time.
 *
 * UTF-8 files take the fast path (lib/ingest/load-fast.ts: the raw bytes go to COPY's own CSV
 * parser); anything it cannot vouch for is loaded again from the start by the exact parser.
 */
export async function loadIntoScratchTable(input: StagingLoadInput): Promise<StagingLoadResult> {
  const opened = await openCsv(input);
  if (input.parser !== "exact" && suitsFastPath(opened.sniffed)) {
    try {
      return await loadFast(input, opened);
    } catch (err) {
      if (!(err instanceof FastPathUnsupported) || input.signal?.aborted) throw err;
      input.onFallback?.(err.reason);
      return loadExactOrRedetect(input, await openCsv(input));
    }
  }
  return loadExactOrRedetect(input, opened);
}

/**
 * The exact path, once more with a single-byte encoding when the first non-ASCII byte comes
 * after the sniffed head: the head said "UTF-8" only because it was all ASCII. A file that is
 * UTF-8 before that byte mixes encodings, and its error names the byte's line and column.
 */
async function loadExactOrRedetect(input: StagingLoadInput, opened: OpenedCsv): Promise<StagingLoadResult> {
  let current = opened;
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadExact(input, current);
    } catch (err) {
      if (!(err instanceof CsvFormatError) || err.code !== "encoding" || err.byteOffset === undefined || input.signal?.aborted) throw err;
      const { sniffed } = current;
      // Line and column come from the raw bytes, which only works in ASCII-compatible encodings.
      if (isWideEncoding(sniffed.encoding)) throw err;
      const look = await lookAround(input, err.byteOffset, sniffed.delimiter);
      const where = { line: look.line, column: look.column };
      if (!isUtf8Label(sniffed.encoding)) {
        throw new CsvFormatError("encoding", `Line ${look.line}, column ${look.column}: ${err.message}`, {
          ...where,
          byteOffset: err.byteOffset,
        });
      }
      if (attempt === 0 && sniffed.encodingSource === "detected" && !look.utf8Before) {
        const guess = detectEncoding(look.window, { complete: false });
        if (guess.encoding !== "utf-8") {
          current = await openCsv({ ...input, options: { ...input.options, encoding: guess.encoding } });
          current.sniffed.encodingSource = "detected";
          current.sniffed.encodingReason = `${guess.reason}, from line ${look.line} on (the lines before are ASCII)`;
          continue;
        }
      }
      throw invalidUtf8Error(err.byteOffset, sniffed.encodingSource === "option", where);
    }
  }
}

/**
 * Reads the stored file again up to a bad byte: its line and column, whether well-formed UTF-8
 * came before it, and the bytes around it for a second encoding guess.
 */
async function lookAround(input: Pick<StagingLoadInput, "open" | "maxBytes">, offset: number, delimiter: string) {
  const { whole } = await openSource(await input.open(), input.maxBytes);
  const locator = createByteLocator(delimiter);
  const windowStart = Math.max(0, offset - SNIFF_BYTES / 2);
  const pieces: Buffer[] = [];
  let utf8Before = false;
  let at = 0;
  try {
    for await (const chunk of whole as AsyncIterable<Buffer>) {
      locator.push(chunk, offset);
      const before = chunk.subarray(0, Math.max(0, Math.min(chunk.length, offset - at)));
      if (!utf8Before && before.some((b) => b >= 0x80)) utf8Before = findInvalidUtf8(before, 0, before.length, true) === -1;
      if (at + chunk.length > windowStart) pieces.push(chunk.subarray(Math.max(0, windowStart - at)));
      at += chunk.length;
      if (at >= offset + SNIFF_BYTES / 2) break;
    }
  } finally {
    whole.destroy();
  }
  return { ...locator.where(), utf8Before, window: Buffer.concat(pieces).subarray(0, SNIFF_BYTES) };
}

/** How to read a file, from its first bytes (refuses web pages and binary files). */
export function sniffHead(head: Buffer, options: DatasetOptions): SniffResult {
  refuseHtml(head);
  // Always the same first SNIFF_BYTES, however the bytes arrived (a fetch hands over 1 MiB at a
  // time, storage 64 KiB): every load of one file must decide the same way.
  const complete = head.length < SNIFF_BYTES;
  return sniffBytes(head.subarray(0, SNIFF_BYTES), {
    encoding: options.encoding,
    delimiter: options.delimiter,
    header: options.header,
    headerLine: options.headerLine,
    complete,
  });
}

/**
 * The fast path reads UTF-8, UTF-16 and the single-byte encodings (turned into UTF-8 by the
 * worker or by COPY itself); others go to the exact parser, as do files whose lines end with a
 * delimiter (a field COPY would keep).
 */
export function suitsFastPath(sniffed: SniffResult): boolean {
  const label = resolveEncodingLabel(sniffed.encoding);
  return (
    (isUtf8Label(label) || postgresSingleByteEncoding(label) !== null || fastPathTranscoder(label) !== null) && !sniffed.trailingDelimiter
  );
}

/** What a load records about how it read the file. */
export function dialectOf(sniffed: SniffResult): DetectedDialect {
  return {
    encoding: sniffed.encoding,
    encodingSource: sniffed.encodingSource,
    encodingReason: sniffed.encodingReason,
    delimiter: sniffed.delimiter,
    delimiterSource: sniffed.delimiterSource,
    lineEnding: sniffed.lineEnding,
    header: sniffed.header,
    headerSource: sniffed.headerSource,
    headerLine: sniffed.startLine,
    trailingDelimiter: sniffed.trailingDelimiter,
  };
}

export async function openCsv(input: Pick<StagingLoadInput, "open" | "maxBytes" | "options">): Promise<OpenedCsv> {
  const { head, whole } = await openSource(await input.open(), input.maxBytes);
  if (head.length === 0) {
    whole.destroy();
    throw emptyFileError();
  }
  try {
    return { head, whole, sniffed: sniffHead(head, input.options) };
  } catch (err) {
    whole.destroy();
    throw err;
  }
}

/**
 * The exact path: every record through the framer and papaparse, re-serialised as COPY text.
 * Slower than the fast path, but it handles every encoding, names the line and column of every
 * problem, and can skip bad rows.
 */
async function loadExact(input: StagingLoadInput, opened: OpenedCsv): Promise<StagingLoadResult> {
  const { sql, options } = input;
  const { whole, sniffed } = opened;
  const { delimiter } = sniffed;

  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  // Skips the BOM and any preamble lines before the header.
  const decoder = createDecoderStream(sniffed.encoding, sniffed.startOffset);
  const decoded = pipeline(whole, counter, decoder, () => {});

  let columns: NormalizedHeader[] | null = null;
  let inferrer: TypeInferrer | null = null;
  let copy: Writable | null = null;
  let copyDone: Promise<unknown> | null = null;
  let batch = "";
  let rows = 0;
  const overrideChecks: { index: number; type: ColumnType; name: string; header: string }[] = [];

  const startCopy = async (headers: NormalizedHeader[]) => {
    columns = headers;
    inferrer = options.types === "infer" ? createTypeInferrer(headers.length) : null;
    headers.forEach((h, index) => {
      const type = input.overrides.get(h.name);
      if (type && type !== "text") overrideChecks.push({ index, type, name: h.name, header: h.header });
    });
    await createScratchTable(sql, input.table, headers);
    const columnList = ["_rb_line", ...headers.map((h) => quoteIdent(h.name))].join(", ");
    copy = await sql.unsafe(`copy ${input.table} (${columnList}) from stdin`).writable();
    copyDone = once(copy, "finish");
  };

  const flush = async () => {
    if (!copy || batch.length === 0) return;
    const ok = copy.write(batch);
    batch = "";
    if (!ok) await once(copy, "drain");
  };

  // A null marker is NULL in the typed table whatever the type (lib/ingest/refine-types.ts).
  const markers = new Set(nullMarkersOf(options));
  let headerPending = sniffed.header;
  const parsed = await parseCsvStream(decoded, {
    delimiter,
    header: false,
    badRows: options.badRows,
    trailingDelimiter: sniffed.trailingDelimiter,
    firstLine: sniffed.startLine,
    signal: input.signal,
    onRow: async (fields, line) => {
      if (!columns) {
        const raw = headerPending ? fields : fields.map((_, i) => `column_${i + 1}`);
        await startCopy(normalizeHeaders(raw));
        if (headerPending) {
          headerPending = false;
          return;
        }
      }
      for (const check of overrideChecks) {
        const value = fields[check.index] ?? "";
        if (value.trim() !== "" && !castCheck(value, check.type) && !markers.has(value.trim())) {
          throw new CsvFormatError(
            "type_mismatch",
            `Line ${line}, column "${check.header}": the value ${JSON.stringify(value.slice(0, 100))} is not a valid ${check.type}; change the column's type or fix the file`,
            { line, column: check.index + 1 },
          );
        }
      }
      inferrer?.observe(fields);
      batch += copyLine(line, fields, columns!.length);
      rows++;
      if (batch.length >= COPY_BATCH_CHARS) {
        await flush();
        input.onProgress({ bytesRead, rows });
      }
    },
  }).catch((err: unknown) => {
    (copy as Writable | null)?.destroy();
    throw err;
  });

  if (!columns) {
    // Nothing but (at most) an empty header: no columns means nothing to create.
    throw emptyFileError();
  }
  await flush();
  (copy as unknown as Writable).end();
  await copyDone;
  input.onProgress({ bytesRead, rows });

  const types = inferrer ? (inferrer as TypeInferrer).result() : null;
  return {
    columns: (columns as NormalizedHeader[]).map((c, i) => ({ ...c, inferredType: types?.[i] ?? "text" })),
    rows,
    skipped: parsed.skipped,
    skippedCount: parsed.skippedCount,
    padded: parsed.padded,
    firstPaddedLine: parsed.firstPaddedLine,
    parser: "exact",
    dialect: dialectOf(sniffed),
    delimiter,
    encoding: sniffed.encoding,
  };
}
