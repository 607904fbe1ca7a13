import { once } from "node:events";
import type { Writable } from "node:stream";
import type { ColumnType } from "@/db/schema/datasets";
import { createCopyScanner, FastPathUnsupported } from "@/lib/csv/copy-scan";
import { MAX_FILE_COLUMNS, normalizeHeaders, quoteIdent, type NormalizedHeader } from "@/lib/csv/headers";
import { castCheck, createTypeInferrer } from "@/lib/csv/infer";
import type { OpenedCsv, StagingLoadInput, StagingLoadResult } from "@/lib/ingest/load-staging";
import { createScratchTable, emptyFileError } from "@/lib/ingest/scratch-table";

const MIB = 1024 * 1024;
// Same limit as the exact parser's, so both paths refuse the same files.
const MAX_FIELD_BYTES = 32 * MIB;

/** PostgreSQL SQLSTATE class 22 (data exception) and 22P04 (bad COPY file format) from COPY. */
function isCopyDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("22");
}

/**
 * Loads a UTF-8 CSV by streaming its bytes (with line numbers spliced in by the scanner) into
 * `COPY … (FORMAT csv)`: PostgreSQL does the parsing; this process only scans bytes, checks
 * UTF-8 and infers types. Throws FastPathUnsupported, before or during the COPY, for anything
 * the exact parser must handle; the scratch table is then simply recreated by that path.
 */
export async function loadFast(input: StagingLoadInput, opened: OpenedCsv): Promise<StagingLoadResult> {
  const { sql, options, signal } = input;
  const { whole, delimiter, sniffed } = opened;
  // Sized for the widest table PostgreSQL allows: the column count is known only after the
  // first record, but values of that record are already being classified.
  const inferrer = options.types === "infer" ? createTypeInferrer(MAX_FILE_COLUMNS) : null;
  let overrideTypes: (ColumnType | undefined)[] = [];

  const scanner = createCopyScanner({
    delimiter,
    header: options.header,
    maxFieldBytes: MAX_FIELD_BYTES,
    wantsColumn: (i) => overrideTypes[i] !== undefined || (inferrer !== null && inferrer.isOpen(i)),
    onValue: (i, value) => {
      const forced = overrideTypes[i];
      // A value the user's type rejects: the exact parser reports it with its line and column.
      if (forced && !castCheck(value, forced)) throw new FastPathUnsupported("value does not fit a chosen type");
      inferrer?.observeValue(i, value);
    },
  });

  let columns: NormalizedHeader[] | null = null;
  let copy: Writable | null = null;
  let copyFailed: Error | null = null;
  let bytesRead = 0;
  const pending: Buffer[] = [];

  const startCopy = async () => {
    const raw = options.header ? scanner.header()! : Array.from({ length: scanner.columnCount() }, (_, i) => `column_${i + 1}`);
    columns = normalizeHeaders(raw);
    overrideTypes = columns.map((h) => {
      const type = input.overrides.get(h.name);
      return type && type !== "text" ? type : undefined;
    });
    await createScratchTable(sql, input.table, columns, input.versionNumber);
    const names = columns.map((h) => quoteIdent(h.name));
    const forceNull = names.length ? `, force_null (${names.join(", ")})` : "";
    const stream = await sql
      .unsafe(`copy ${input.table} (${["_rb_line", ...names].join(", ")}) from stdin (format csv, delimiter '${delimiter.replace(/'/g, "''")}'${forceNull})`)
      .writable();
    stream.on("error", (err: Error) => (copyFailed ??= err));
    copy = stream;
  };

  const write = async (data: Buffer) => {
    if (!copy) {
      // Nothing can be sent before the first record says how many columns there are.
      if (data.length) pending.push(data);
      if (scanner.columnCount() < 0) return;
      await startCopy();
      data = Buffer.concat(pending.splice(0));
    }
    if (copyFailed) throw copyFailed;
    if (data.length && !(copy as unknown as Writable).write(data)) {
      await Promise.race([once(copy as unknown as Writable, "drain"), once(copy as unknown as Writable, "error")]);
    }
  };

  try {
    signal?.throwIfAborted();
    for await (const chunk of whole) {
      signal?.throwIfAborted();
      bytesRead += (chunk as Buffer).length;
      await write(scanner.push(chunk as Buffer));
      input.onProgress({ bytesRead, rows: scanner.rows() });
    }
    await write(scanner.end());
    // Only blank lines: no header, no columns, nothing to create.
    if (!copy) throw emptyFileError();
    const done = once(copy as Writable, "finish");
    (copy as Writable).end();
    await done;
    if (copyFailed) throw copyFailed;
  } catch (err) {
    (copy as Writable | null)?.destroy();
    whole.destroy();
    if (isCopyDataError(err)) {
      // COPY read something differently from the scanner: let the exact parser decide.
      throw new FastPathUnsupported(`COPY refused the data: ${(err as Error).message}`);
    }
    throw err;
  }
  input.onProgress({ bytesRead, rows: scanner.rows() });

  const cols = columns as unknown as NormalizedHeader[];
  const types = inferrer?.result();
  return {
    columns: cols.map((c, i) => ({ ...c, inferredType: types?.[i] ?? "text" })),
    rows: scanner.rows(),
    skipped: [],
    delimiter,
    encoding: sniffed.encoding,
  };
}
