import type { Writable } from "node:stream";
import type { ReservedSql } from "postgres";
import type { ColumnType } from "@/db/schema/datasets";
import { createCopyScanner, FastPathUnsupported } from "@/lib/csv/copy-scan";
import { MAX_FILE_COLUMNS, normalizeHeaders, quoteIdent, type NormalizedHeader } from "@/lib/csv/headers";
import { castCheck, createTypeInferrer } from "@/lib/csv/infer";
import type { OpenedCsv, StagingLoadInput, StagingLoadResult } from "@/lib/ingest/load-staging";
import { createScratchTable, emptyFileError } from "@/lib/ingest/scratch-table";

const MIB = 1024 * 1024;
// Same limit as the exact parser's, so both paths refuse the same files.
const MAX_FIELD_BYTES = 32 * MIB;

/**
 * How much may wait in a COPY stream's buffer before the load waits for it: a few chunks, so
 * the scanner, storage and PostgreSQL work at the same time instead of taking turns each
 * chunk. (Larger windows measured no faster and cost CPU; memory stays flat either way.)
 */
const COPY_WINDOW = 256 * 1024;

/**
 * Resolves at the stream's next 'drain' (rejects on 'error', resolves on 'close'), removing its
 * listeners either way: a listener left behind per wait would pile up over a long load.
 */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      stream.off("drain", onDrain);
      stream.off("error", onError);
      stream.off("close", onDrain);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (err: Error) => settle(err);
    stream.on("drain", onDrain);
    stream.on("error", onError);
    stream.on("close", onDrain);
  });
}

/**
 * Ends a COPY and tells whether the server accepted it. postgres.js (3.4) resolves a COPY query
 * with its stream as soon as the COPY starts, so an error the server raises later reaches nobody
 * (and the stream's 'finish' then comes with the next query's completion, as if all were well).
 * A COPY is all or nothing, so a query sent after the stream's CopyDone settles it: once the
 * COPY is over, the table has rows if and only if the COPY succeeded. The query must not go out
 * before CopyDone (the server would take it as a broken COPY), hence the wait for _final, the
 * Writable hook postgres.js writes CopyDone from.
 */
async function endCopy(conn: ReservedSql, stream: Writable, table: string, rows: number): Promise<boolean> {
  let failed = false;
  const onError = () => (failed = true);
  stream.on("error", onError);
  try {
    const internal = stream as Writable & { _final?: (cb: (err?: Error | null) => void) => void };
    const original = internal._final?.bind(stream);
    if (stream.destroyed) return false;
    await new Promise<void>((resolve) => {
      if (!original) return resolve();
      stream.once("close", () => resolve()); // destroyed on the way: _final never comes
      internal._final = (cb) => {
        original(cb);
        resolve();
      };
      stream.end();
    });
    if (!original) stream.end();
    const [row] = await conn.unsafe(`select exists (select 1 from ${table}) as loaded`);
    return !failed && (rows === 0 || Boolean(row?.loaded));
  } catch {
    return false;
  } finally {
    stream.off("error", onError);
  }
}

/** `COPY … FROM STDIN` of a CSV whose records start with the line number (see copy-scan.ts). */
function copyCsvSql(table: string, columns: readonly string[], delimiter: string): string {
  const forceNull = columns.length ? `, force_null (${columns.join(", ")})` : "";
  return `copy ${table} (${["_rb_line", ...columns].join(", ")}) from stdin (format csv, delimiter '${delimiter.replace(/'/g, "''")}'${forceNull})`;
}

/** PostgreSQL SQLSTATE class 22 (data exception, incl. 22P04 bad COPY file format) from COPY. */
function isCopyDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("22");
}

export type FastLoadInput = Omit<StagingLoadInput, "open" | "parser" | "onFallback">;

/**
 * A second COPY of the same bytes, into a table declared with the types seen in the first chunk:
 * when the whole file agrees with them (the usual case), it is the typed warehouse table, built
 * at the same time as staging on the other core instead of by a CREATE TABLE AS afterwards.
 * Anything unexpected (a later value that does not fit) just ends the twin; the typing step then
 * builds the table the normal way.
 */
export type TwinTarget = { table: string; open: () => Promise<ReservedSql> };
export type TwinResult = { table: string; types: ColumnType[] };

/** A fast load fed chunk by chunk, so it can run while the file is still being fetched. */
export type FastLoader = {
  /** Resolves when the chunk is on its way to COPY (back-pressure for the caller). */
  push(chunk: Buffer): Promise<void>;
  /** Ends the COPY; resolves with what was loaded. */
  finish(): Promise<StagingLoadResult>;
  /** Stops the COPY (the scratch table stays for the caller to drop or recreate). */
  abort(): void;
};

/**
 * Loads a UTF-8 CSV by streaming its bytes (with line numbers spliced in by the scanner) into
 * `COPY … (FORMAT csv)`: PostgreSQL does the parsing; this process only scans bytes, checks
 * UTF-8 and infers types. push() and finish() throw FastPathUnsupported for anything the
 * exact parser must handle; that path then recreates the scratch table from the start.
 */
export function startFastLoad(input: FastLoadInput, file: { delimiter: string; encoding: string; bomLength: number }): FastLoader {
  const { sql, options, signal } = input;
  const { delimiter } = file;
  const inferrer = options.types === "infer" ? createTypeInferrer(MAX_FILE_COLUMNS) : null;
  let overrideTypes: (ColumnType | undefined)[] = [];
  const anyOverride = [...input.overrides.values()].some((t) => t !== "text");
  // Columns whose values we still look at: all at first (the column count comes with the first
  // record), then only those whose type is still open or that have a user's type to check.
  const wanted = new Uint8Array(MAX_FILE_COLUMNS).fill(inferrer || anyOverride ? 1 : 0);

  const scanner = createCopyScanner({
    delimiter,
    header: options.header,
    maxFieldBytes: MAX_FIELD_BYTES,
    wanted,
    onValue: (i, bytes, s, e) => {
      const forced = overrideTypes[i];
      // A value the user's type rejects: the exact parser reports it with its line and column.
      if (forced && !castCheck(bytes.toString("utf8", s, e), forced)) throw new FastPathUnsupported("value does not fit a chosen type");
      if (inferrer) {
        inferrer.observeBytes(i, bytes, s, e);
        if (!forced && !inferrer.isOpen(i)) wanted[i] = 0;
      } else if (!forced) wanted[i] = 0;
    },
  });

  let columns: NormalizedHeader[] | null = null;
  let copy: Writable | null = null;
  let copyError: Error | null = null;
  let twin: { sql: ReservedSql; stream: Writable | null; types: ColumnType[]; dead: boolean } | null = null;
  let bytesRead = 0;
  let bomToSkip = file.bomLength;
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
    const stream = await sql.unsafe(copyCsvSql(input.table, names, delimiter)).writable();
    stream.on("error", (err: Error) => (copyError ??= err));
    copy = stream;
    if (input.twin) await startTwin(input.twin, names).catch(() => endTwin());
  };

  const startTwin = async (target: TwinTarget, names: string[]) => {
    // The types of the values seen so far (at least the first chunk's): a guess the end checks.
    const seen = inferrer?.result();
    const types = columns!.map((_, i): ColumnType => seen?.[i] ?? "text");
    const twinSql = await target.open();
    twin = { sql: twinSql, stream: null, types, dead: false };
    // Offset-less timestamptz values are read as UTC, as the inferrer and buildTypedTable assume.
    await twinSql.unsafe(`set timezone = 'UTC'`);
    await twinSql.unsafe(`drop table if exists ${target.table}`);
    const defs = names.map((n, i) => `${n} ${types[i]}`).join(", ");
    await twinSql.unsafe(
      `create table ${target.table} (_rb_line bigint, ${defs}${names.length ? ", " : ""}` +
        `_rb_version integer default ${Number(input.versionNumber)}, _rb_loaded_at timestamptz default now())`,
    );
    const stream = await twinSql.unsafe(copyCsvSql(target.table, names, delimiter)).writable();
    stream.on("error", () => endTwin());
    twin.stream = stream;
  };

  /** The twin is over (it failed, or the file disagreed with it): the typing step builds the table. */
  const endTwin = () => {
    if (!twin || twin.dead) return;
    twin.dead = true;
    twin.stream?.destroy();
  };

  const releaseTwin = async () => {
    if (!twin) return;
    const t = twin;
    twin = null;
    await t.sql.unsafe(`reset timezone`).catch(() => {});
    t.sql.release();
  };

  const write = async (data: Buffer) => {
    if (!copy) {
      // Nothing can be sent before the first record says how many columns there are.
      if (data.length) pending.push(data);
      if (scanner.columnCount() < 0) return;
      await startCopy();
      data = Buffer.concat(pending.splice(0));
    }
    const stream = copy as unknown as Writable;
    if (copyError) throw copyError;
    if (data.length === 0) return;
    const waits: Promise<void>[] = [];
    stream.write(data);
    if (stream.writableLength > COPY_WINDOW) waits.push(drained(stream));
    const t = twin as { stream: Writable | null; dead: boolean } | null;
    if (t && !t.dead && t.stream) {
      t.stream.write(data);
      if (t.stream.writableLength > COPY_WINDOW) waits.push(drained(t.stream).catch(() => {}));
    }
    if (waits.length) await Promise.all(waits);
    if (copyError) throw copyError;
  };

  /** COPY's own complaint about the data: the exact parser will say what is wrong, and where. */
  const translate = (err: unknown): unknown =>
    isCopyDataError(err) ? new FastPathUnsupported(`COPY refused the data: ${(err as Error).message}`) : err;

  const abort = () => {
    (copy as Writable | null)?.destroy();
    endTwin();
    void releaseTwin();
  };

  /** Ends the twin's COPY; its table and types if it holds the whole file. */
  const finishTwin = async (): Promise<TwinResult | null> => {
    const t = twin as { sql: ReservedSql; stream: Writable | null; types: ColumnType[]; dead: boolean } | null;
    if (!t || !input.twin) return null;
    let ok = false;
    try {
      if (t.dead || !t.stream) return null;
      ok = (await endCopy(t.sql, t.stream, input.twin.table, scanner.rows())) && !t.dead;
      return ok ? { table: input.twin.table, types: t.types } : null;
    } catch {
      return null;
    } finally {
      if (!ok) await t.sql.unsafe(`drop table if exists ${input.twin.table}`).catch(() => {});
      await releaseTwin();
    }
  };

  return {
    async push(chunk: Buffer) {
      try {
        signal?.throwIfAborted();
        bytesRead += chunk.length;
        if (bomToSkip > 0) {
          const skip = Math.min(bomToSkip, chunk.length);
          chunk = chunk.subarray(skip);
          bomToSkip -= skip;
        }
        await write(scanner.push(chunk));
        input.onProgress({ bytesRead, rows: scanner.rows() });
      } catch (err) {
        abort();
        throw translate(err);
      }
    },
    async finish() {
      try {
        await write(scanner.end());
        // Only blank lines: no header, no columns, nothing to create.
        if (!copy) throw emptyFileError();
        const stream = copy as unknown as Writable;
        if (!(await endCopy(sql, stream, input.table, scanner.rows())) && !copyError) {
          // postgres.js does not pass on an error that ends a COPY after its stream has been
          // handed out (the query promise already resolved); the data was refused either way.
          throw new FastPathUnsupported("COPY refused the data");
        }
        if (copyError) throw copyError;
      } catch (err) {
        abort();
        throw translate(err);
      }
      input.onProgress({ bytesRead, rows: scanner.rows() });
      const twinResult = await finishTwin();
      const types = inferrer?.result();
      return {
        columns: (columns as unknown as NormalizedHeader[]).map((c, i) => ({ ...c, inferredType: types?.[i] ?? "text" })),
        rows: scanner.rows(),
        skipped: [],
        delimiter,
        encoding: file.encoding,
        twin: twinResult,
      };
    },
    abort,
  };
}

/** The fast path over a stored file. */
export async function loadFast(input: StagingLoadInput, opened: OpenedCsv): Promise<StagingLoadResult> {
  const loader = startFastLoad(input, { delimiter: opened.delimiter, encoding: opened.sniffed.encoding, bomLength: opened.sniffed.bomLength });
  try {
    for await (const chunk of opened.whole) await loader.push(chunk as Buffer);
    return await loader.finish();
  } finally {
    opened.whole.destroy();
  }
}
