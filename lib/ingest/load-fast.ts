import type { Writable } from "node:stream";
import type { ReservedSql } from "postgres";
import type { ColumnType, TypedScratch } from "@/db/schema/datasets";
import { createCopyScanner, FastPathUnsupported } from "@/lib/csv/copy-scan";
import { MAX_FILE_COLUMNS, normalizeHeaders, quoteIdent, type NormalizedHeader } from "@/lib/csv/headers";
import { castCheck, createTypeInferrer } from "@/lib/csv/infer";
import { isUtf8Label, postgresSingleByteEncoding } from "@/lib/csv/encoding";
import { fastPathTranscoder } from "@/lib/csv/transcode";
import { nullMarkersOf } from "@/lib/ingest/refine-types";

import type { SniffResult } from "@/lib/csv/sniff";
import { dialectOf, type OpenedCsv, type StagingLoadInput, type StagingLoadResult } from "@/lib/ingest/load-staging";
import { createScratchTable, emptyFileError } from "@/lib/ingest/scratch-table";
import { warehouseTable } from "@/lib/ingest/staging-sql";
import { isDatabaseConnectionError } from "@/lib/pipeline/faults";

const MIB = 1024 * 1024;
// Same limit as the exact parser's, so both paths refuse the same files.
const MAX_FIELD_BYTES = 32 * MIB;

/**
 * How much may wait in a COPY stream's buffer before the load waits for it. With a typed twin,
 * two COPYs on two backends take every record; a buffer keeps both fed while this process scans
 * the next piece. Its depth hardly changes the time (4 MiB measured 3.9–4.7 s on the 1M-row file
 * against 4.0–4.8 s with 256 KiB; docs/benchmarks.md) but it does change the worker's peak memory:
 * up to three streams (two staging lanes and the twin) each hold a window until the socket takes
 * it (postgres.js is patched to send a piece as it is, not a framed copy of it:
 * patches/postgres+3.4.9.patch). 2 MiB rather than 4 MiB: the 1 GiB load's peak RSS 193–201 →
 * 185–196 MiB (`npm run bench -- --only=1g`), before that patch.
 */
const COPY_WINDOW = 2 * 1024 * 1024;

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
 * Ends a COPY stream; resolves once its CopyDone is on the way (true), or false if the stream
 * failed or was destroyed first. postgres.js writes CopyDone from the Writable's _final hook,
 * so that hook is what is waited for: a query sent before it would break the COPY.
 */
async function copyDone(stream: Writable): Promise<boolean> {
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
    return !failed;
  } finally {
    stream.off("error", onError);
  }
}

/**
 * Ends a COPY and tells whether the server accepted it. postgres.js (3.4) resolves a COPY query
 * with its stream as soon as the COPY starts, so an error the server raises later reaches nobody
 * (and the stream's 'finish' then comes with the next query's completion, as if all were well).
 * A COPY is all or nothing, so a query sent after the stream's CopyDone settles it: once the
 * COPY is over, the table has rows (its own: other COPYs into it have not committed yet) if and
 * only if the COPY succeeded.
 */
async function endCopy(conn: ReservedSql, stream: Writable, table: string, rows: number): Promise<boolean> {
  let failed = false;
  const onError = () => (failed = true);
  stream.on("error", onError);
  try {
    if (!(await copyDone(stream))) return false;
    const [row] = await conn.unsafe(`select exists (select 1 from ${table}) as loaded`);
    return !failed && (rows === 0 || Boolean(row?.loaded));
  } catch {
    return false;
  } finally {
    stream.off("error", onError);
  }
}

/** `COPY … FROM STDIN` of a CSV whose records start with the line number (see copy-scan.ts). */
function copyCsvSql(table: string, columns: readonly string[], delimiter: string, postgresEncoding: string | null): string {
  const forceNull = columns.length ? `, force_null (${columns.join(", ")})` : "";
  const encoding = postgresEncoding ? `, encoding '${postgresEncoding}'` : "";
  return `copy ${table} (${["_rb_line", ...columns].join(", ")}) from stdin (format csv, delimiter '${delimiter.replace(/'/g, "''")}'${forceNull}${encoding})`;
}

/** PostgreSQL SQLSTATE class 22 (data exception, incl. 22P04 bad COPY file format) from COPY. */
function isCopyDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("22");
}

export type FastLoadInput = Omit<StagingLoadInput, "open" | "parser" | "onFallback">;

/**
 * Past this many bytes the load opens a second connection and the records go to two COPYs, a
 * chunk each in turn. PostgreSQL parses and writes one COPY on one core; this process scans on
 * the other and spends much of its time waiting for that COPY; two COPYs keep both cores
 * busy. Small files never pay for the connection.
 */
const SECOND_LANE_AFTER_BYTES = 4 * MIB;

/**
 * A COPY inside a transaction: its rows stay invisible until it commits, and the COMMIT's answer
 * ("ROLLBACK" after a failed COPY) says whether the server took all of them. `owned`: the lane
 * opened its connection and gives it back to the pool when it ends (the load's own connection
 * stays with the load).
 */
type Lane = { sql: ReservedSql; stream: Writable; error: Error | null; owned: boolean };

async function openLane(
  open: () => Promise<ReservedSql>,
  sql: string,
  prepare?: (conn: ReservedSql) => Promise<void>,
  owned = true,
): Promise<Lane> {
  const conn = await open();
  try {
    await conn.unsafe("begin");
    await prepare?.(conn);
    const stream = await conn.unsafe(sql).writable();
    const lane: Lane = { sql: conn, stream, error: null, owned };
    stream.on("error", (err: Error) => (lane.error ??= err));
    return lane;
  } catch (err) {
    await conn.unsafe("rollback").catch(() => {});
    if (owned) conn.release();
    throw err;
  }
}

/** Ends a lane's COPY and commits it; true if the server took every row. Releases the connection. */
async function commitLane(lane: Lane): Promise<boolean> {
  let ended = false;
  try {
    if (connectionLost(lane.error)) {
      ended = true;
      return false;
    }
    if (!(await copyDone(lane.stream))) return false;
    const result = await lane.sql.unsafe("commit");
    ended = true; // committed, or rolled back by the server after a failed COPY
    return lane.error === null && (result as unknown as { command?: string }).command === "COMMIT";
  } finally {
    // The connection goes back outside any transaction.
    if (!ended) await lane.sql.unsafe("rollback").catch(() => {});
    if (lane.owned) lane.sql.release();
  }
}

/**
 * A COPY whose connection is gone gets nothing more written to it: postgres.js 3.4 throws an
 * uncatchable TypeError when a queued write meets the closed socket (upstream #1154).
 */
function connectionLost(err: Error | null): boolean {
  return err !== null && isDatabaseConnectionError(err);
}

/** Stops a lane's COPY and gives its connection back clean. */
function dropLane(lane: Lane): void {
  if (connectionLost(lane.error)) return lane.owned ? lane.sql.release() : undefined;
  lane.stream.destroy();
  void lane.sql
    .unsafe("rollback")
    .catch(() => {})
    .finally(() => (lane.owned ? lane.sql.release() : undefined));
}

/**
 * A table created in its COPY's transaction skips the WAL where wal_level is minimal; PostgreSQL
 * then writes and syncs the whole table at COMMIT instead. Its backends' writes sit in the page
 * cache until then (the kernel starts writing back only at 10 % of RAM dirty), so the commits of a
 * 165 MB file's two tables spent about a second on the disk after the last row. Asking the
 * backend to start writeback every 256 pages (2 MiB, the most the setting takes) spreads that
 * writing over the COPY: the commits then took about half a second (docs/benchmarks.md). A
 * user-level setting, valid on any PostgreSQL Relayboard supports, and only for this transaction.
 */
async function writeBackEarly(conn: ReservedSql): Promise<void> {
  await conn.unsafe(`set local backend_flush_after = 256`);
}

/**
 * The typed lane. psql's COPY into a typed table parses and types a row in one go; a load that
 * types afterwards (INSERT … SELECT with casts from the all-text staging table) does a second,
 * slower pass over every row after the first. So while the text lanes fill staging, a third COPY
 * takes the same records into a table whose columns have the types the head of the file
 * suggests, on another connection: PostgreSQL types the rows on the other core while the text
 * COPYs run. It is a guess, settled at the end (lib/ingest/typed-table.ts, installTypedScratch):
 * the typed table is used only if the whole file's types are those it was made with (or it kept
 * a column as text, which is the raw value and can still be cast). A value the guessed type
 * refuses makes its COPY fail; that only ends the guess (the transaction takes its table with
 * it), never the load, which then types from staging as before.
 *
 * With a twin, staging gets one COPY (not two lanes): two COPYs already keep both cores busy.
 * Each table is created in its COPY's own transaction, which lets PostgreSQL skip writing its
 * rows to the WAL where wal_level is minimal (the embedded server: db/embedded.ts). (COPY FREEZE
 * measured slower here; docs/benchmarks.md.)
 */
async function openTypedLane(
  open: () => Promise<ReservedSql>,
  table: string,
  columns: readonly NormalizedHeader[],
  types: readonly ColumnType[],
  copySql: string,
): Promise<Lane> {
  return openLane(open, copySql, async (conn) => {
    // Casting timestamptz values without an offset reads them as UTC, as the inferrer assumed
    // (and as the typing pass does).
    await conn.unsafe(`set local timezone = 'UTC'`);
    await writeBackEarly(conn);
    await conn.unsafe(`drop table if exists ${table}`);
    const defs = columns.map((h, i) => `${quoteIdent(h.name)} ${types[i] ?? "text"}`);
    await conn.unsafe(`create table ${table} (${["_rb_line bigint", ...defs].join(", ")})`);
  });
}

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
export function startFastLoad(input: FastLoadInput, file: FastFile): FastLoader {
  const { sql, options, signal } = input;
  const { delimiter } = file;
  // ISO-8859-1, windows-1252 and UTF-16 are turned into UTF-8 here (lib/csv/transcode.ts);
  // other code pages are converted by COPY itself.
  const toUtf8 = fastPathTranscoder(file.encoding);
  const postgresEncoding = isUtf8Label(file.encoding) || toUtf8 ? null : postgresSingleByteEncoding(file.encoding);
  const inferrer = options.types === "infer" ? createTypeInferrer(MAX_FILE_COLUMNS) : null;
  // Each column's chosen type (or lock), by position; null until the header is known. The first
  // chunk's values are scanned before the COPY starts, so the checks resolve it themselves.
  let overrideTypes: (ColumnType | undefined)[] | null = null;
  const chosenTypes = (names: NormalizedHeader[]) =>
    names.map((h) => {
      const type = input.overrides.get(h.name);
      return type && type !== "text" ? type : undefined;
    });
  const noneYet: (ColumnType | undefined)[] = [];
  const resolveOverrides = (): (ColumnType | undefined)[] => {
    if (overrideTypes) return overrideTypes;
    if (file.header) {
      const raw = scanner.header();
      if (!raw) return noneYet;
      return (overrideTypes = chosenTypes(normalizeHeaders(raw)));
    }
    // No header: the columns are column_1, column_2, … by position (startCopy sets the exact list).
    return (overrideTypes = chosenTypes(normalizeHeaders(Array.from({ length: MAX_FILE_COLUMNS }, (_, i) => `column_${i + 1}`))));
  };
  const anyOverride = [...input.overrides.values()].some((t) => t !== "text");
  const markers = new Set(nullMarkersOf(options));
  // Columns whose values we still look at: all at first (the column count comes with the first
  // record), then only those whose type is still open or that have a user's type to check.
  const wanted = new Uint8Array(MAX_FILE_COLUMNS).fill(inferrer || anyOverride ? 1 : 0);

  const inferOnly = (i: number, bytes: Buffer, s: number, e: number) => {
    if (!inferrer!.observeBytes(i, bytes, s, e)) wanted[i] = 0;
  };
  const checkAndInfer = (i: number, bytes: Buffer, s: number, e: number) => {
    const forced = resolveOverrides()[i];
    // A value the user's type rejects: the exact parser reports it with its line and column.
    if (forced) {
      const value = bytes.toString("utf8", s, e);
      // A null marker is NULL in the typed table (lib/ingest/refine-types.ts), whatever the type.
      // Blank (spaces only) is NULL in the typed table, as an empty field is.
      const trimmed = value.trim();
      if (trimmed !== "" && !castCheck(value, forced) && !markers.has(trimmed))
        throw new FastPathUnsupported("value does not fit a chosen type");
    }
    if (inferrer) {
      inferrer.observeBytes(i, bytes, s, e);
      if (!forced && !inferrer.isOpen(i)) wanted[i] = 0;
    } else if (!forced) wanted[i] = 0;
  };
  const scanner = createCopyScanner({
    delimiter,
    header: file.header,
    firstLine: file.startLine,
    singleByteEncoding: postgresEncoding ? file.encoding : undefined,
    maxFieldBytes: MAX_FIELD_BYTES,
    wanted,
    // The usual case, no chosen types, costs one call per value (or none: see inferenceMasks).
    onValue: inferrer && !anyOverride ? inferOnly : checkAndInfer,
    inferenceMasks: anyOverride ? undefined : (inferrer?.masks ?? new Uint8Array(0)),
  });

  let columns: NormalizedHeader[] | null = null;
  let copySql = "";
  let copy: Writable | null = null; // the first lane: the load's own connection
  let copyError: Error | null = null;
  // The first lane in its own transaction, with the table created in it (when there is a twin).
  let firstLane: Lane | null = null;
  let second: Lane | null = null;
  // The typed lane gets every record (see openTypedLane); null when the load keeps none.
  let typedLane: Lane | null = null;
  let typedTypes: ColumnType[] = [];
  let typedMiss: string | null = null;
  let turn = 0; // which lane gets the next records
  let lanes = 1;
  let aborted = false;
  let bytesRead = 0;
  let bomToSkip = file.startOffset; // the BOM and any preamble lines before the header
  // Output after the last whole record: a record must go to one COPY in one piece.
  let partial: Buffer[] = [];

  const startCopy = async () => {
    const raw = file.header ? scanner.header()! : Array.from({ length: scanner.columnCount() }, (_, i) => `column_${i + 1}`);
    columns = normalizeHeaders(raw);
    overrideTypes = chosenTypes(columns);
    const idents = columns.map((h) => quoteIdent(h.name));
    copySql = copyCsvSql(input.table, idents, delimiter, postgresEncoding);
    const twinned = input.typedTable && input.extraConnection && (options.loadMode ?? "replace") === "replace";
    if (twinned) {
      const cols = columns;
      firstLane = await openLane(
        async () => sql,
        copySql,
        async (conn) => {
          await writeBackEarly(conn);
          await createScratchTable(conn, input.table, cols);
        },
        false,
      );
      firstLane.stream.on("error", (err: Error) => (copyError ??= err));
      copy = firstLane.stream;
      // What the head says; a column with a chosen type stays text here and is cast at the end.
      const guess = inferrer?.result() ?? [];
      typedTypes = columns.map((h, i) => (input.overrides.has(h.name) ? "text" : (guess[i] ?? "text")));
      const typedTable = warehouseTable(input.typedTable!);
      try {
        typedLane = await openTypedLane(
          input.extraConnection!,
          typedTable,
          columns,
          typedTypes,
          copyCsvSql(typedTable, idents, delimiter, postgresEncoding),
        );
      } catch (err) {
        if (connectionLost(err as Error)) throw err;
        typedMiss = `typed lane not opened: ${(err as Error).message}`;
      }
    } else {
      await createScratchTable(sql, input.table, columns);
      const stream = await sql.unsafe(copySql).writable();
      stream.on("error", (err: Error) => (copyError ??= err));
      copy = stream;
    }
  };

  /** The same records to the typed lane; a failure there only ends the typed lane. */
  const sendTyped = async (pieces: readonly Buffer[]) => {
    const lane = typedLane;
    if (!lane) return;
    if (lane.error) return endTyped(`typed COPY failed: ${lane.error.message}`);
    for (const piece of pieces) lane.stream.write(piece);
    if (lane.stream.writableLength > COPY_WINDOW) {
      await drained(lane.stream).catch((err: Error) => (lane.error ??= err));
    }
  };

  const endTyped = (why: string) => {
    typedMiss ??= why;
    if (typedLane) dropLane(typedLane);
    typedLane = null;
  };

  const send = async (stream: Writable, data: Buffer) => {
    stream.write(data);
    if (stream.writableLength > COPY_WINDOW) await drained(stream);
  };

  const write = async (data: Buffer) => {
    if (aborted) throw new Error("the load was stopped");
    const end = scanner.recordEnd();
    if (!copy) {
      // Nothing can be sent before the first record says how many columns there are.
      if (scanner.columnCount() < 0) {
        if (data.length) partial.push(data);
        return;
      }
      await startCopy();
      // Stopped while the COPY was starting: abort() found no stream to stop then.
      if (aborted) {
        (copy as Writable | null)?.destroy();
        throw new Error("the load was stopped");
      }
    }
    if (end < 0) {
      if (data.length) partial.push(data);
      return;
    }
    // The records' bytes, from the start of the first (kept from earlier chunks) to the end of
    // the last: written piece by piece, as COPY does not care where its messages break.
    const head = partial;
    partial = end < data.length ? [data.subarray(end)] : [];
    if (copyError) throw copyError;
    if (!second && !firstLane && input.extraConnection && bytesRead > SECOND_LANE_AFTER_BYTES) {
      const opened = await openLane(input.extraConnection, copySql);
      if (aborted) {
        // Stopped while the lane was opening: it must not hold its connection and a lock.
        dropLane(opened);
        throw new Error("the load was stopped");
      }
      second = opened;
    }
    const lane = second && turn++ % 2 === 1 ? second : null;
    const stream = lane ? lane.stream : (copy as unknown as Writable);
    for (const piece of head) stream.write(piece);
    const records = data.subarray(0, end);
    await sendTyped([...head, records]);
    await send(stream, records);
    if (lane?.error) throw lane.error;
    if (copyError) throw copyError;
  };

  /** COPY's own complaint about the data: the exact parser will say what is wrong, and where. */
  const translate = (err: unknown): unknown =>
    isCopyDataError(err) ? new FastPathUnsupported(`COPY refused the data: ${(err as Error).message}`) : err;

  const abort = () => {
    aborted = true;
    if (firstLane) dropLane(firstLane);
    else if (!connectionLost(copyError)) (copy as Writable | null)?.destroy();
    firstLane = null;
    if (second) dropLane(second);
    second = null;
    if (typedLane) endTyped("the load was stopped");
  };

  /** Commits the typed lane; its table stays only if its COPY took every record. */
  const commitTyped = async (): Promise<TypedScratch | undefined> => {
    const lane = typedLane;
    typedLane = null;
    if (!lane || !input.typedTable) return undefined;
    if (connectionLost(lane.error)) {
      typedMiss ??= `typed COPY failed: ${lane.error!.message}`;
      dropLane(lane);
      return undefined;
    }
    const ok = await commitLane(lane).catch((err: Error) => {
      typedMiss ??= `typed COPY failed: ${err.message}`;
      return false;
    });
    if (!ok) {
      // A value the guessed type refused (the server rolled the table back with the COPY).
      typedMiss ??= `typed COPY refused a value${lane.error ? `: ${lane.error.message}` : ""}`;
      return undefined;
    }
    return { table: input.typedTable, types: typedTypes };
  };
  let typed: TypedScratch | undefined;

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
        await write(scanner.push(toUtf8 ? toUtf8.push(chunk) : chunk));
        input.onProgress({ bytesRead, rows: scanner.rows() });
      } catch (err) {
        abort();
        throw translate(err);
      }
    },
    async finish() {
      try {
        if (toUtf8) await write(scanner.push(toUtf8.end()));
        await write(scanner.end());
        // Only blank lines: no header, no columns, nothing to create.
        if (!copy) throw emptyFileError();
        // The first lane is checked before the second commits, while its rows are the only
        // ones the table shows (see endCopy).
        const own = firstLane as Lane | null;
        firstLane = null;
        const firstOk = own ? await commitLane(own) : await endCopy(sql, copy as unknown as Writable, input.table, scanner.rows());
        const lane = second as Lane | null;
        second = null;
        if (lane) lanes = 2;
        // The second lane commits only if the first one holds: no rows of a refused load stay.
        let secondOk = true;
        if (lane && firstOk) secondOk = await commitLane(lane);
        else if (lane) dropLane(lane);
        if (copyError) throw copyError;
        if (!firstOk || !secondOk) {
          // postgres.js does not pass on an error that ends a COPY after its stream has been
          // handed out (the query promise already resolved); the data was refused either way.
          throw new FastPathUnsupported("COPY refused the data");
        }
        typed = await commitTyped();
      } catch (err) {
        abort();
        throw translate(err);
      }
      input.onProgress({ bytesRead, rows: scanner.rows() });
      const types = inferrer?.result();
      return {
        columns: (columns as unknown as NormalizedHeader[]).map((c, i) => ({ ...c, inferredType: types?.[i] ?? "text" })),
        rows: scanner.rows(),
        skipped: [],
        skippedCount: 0,
        padded: 0,
        firstPaddedLine: null,
        parser: "fast",
        dialect: dialectOf(file),
        delimiter,
        encoding: file.encoding,
        lanes,
        typed,
        typedMiss: typed ? undefined : (typedMiss ?? undefined),
      };
    },
    abort,
  };
}

/** What the fast path needs to know of a sniffed file (lib/csv/sniff.ts). */
export type FastFile = SniffResult;

/** The fast path over a stored file. */
export async function loadFast(input: StagingLoadInput, opened: OpenedCsv): Promise<StagingLoadResult> {
  const loader = startFastLoad(input, opened.sniffed);
  try {
    for await (const chunk of opened.whole) await loader.push(chunk as Buffer);
    return await loader.finish();
  } finally {
    opened.whole.destroy();
  }
}
