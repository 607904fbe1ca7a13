import { once } from "node:events";
import { Transform } from "node:stream";
import zlib from "node:zlib";
import type { ReservedSql, Sql } from "postgres";
import type { StagedScratch } from "@/db/schema/datasets";
import { startFastLoad, type FastLoader, type FastLoadInput } from "@/lib/ingest/load-fast";
import { isGzip, sniffHead, SNIFF_BYTES, suitsFastPath } from "@/lib/ingest/load-staging";
import { warehouseTable } from "@/lib/ingest/staging-sql";

/**
 * Loads the file into its scratch table while it is being fetched, so that fetching and loading
 * overlap instead of taking turns (the network and storage wait on one core, COPY works on the
 * other). It is speculative in two ways, and both are cheap to undo:
 *  - the content may turn out to be unchanged (same sha256 as the latest version): the scratch
 *    table is dropped and nothing else happened;
 *  - the file may need the exact parser (an encoding the fast path does not read, a quote
 *    inside an unquoted field, a ragged row, …): speculation switches itself off, the fetch
 *    carries on, and the load step loads the stored file the normal way.
 * A gzip file is inflated on the way (the stored object stays as it came), as the load step
 * would inflate it, with the same cap on what it inflates to.
 * It never fails the fetch: every problem here just means "load it later".
 */

export type SpeculativeLoad = {
  /** Feed the next fetched chunk; resolves when COPY has taken it (back-pressure). */
  push(chunk: Buffer): Promise<void>;
  /** End of the fetch: what was staged, or null if speculation switched itself off. */
  finish(): Promise<StagedScratch | null>;
  /** Throw the work away (unchanged content, failed fetch). */
  discard(): Promise<void>;
  /** Why speculation stopped, if it did. */
  reason(): string | null;
};

export function createSpeculativeLoad(sql: Sql, input: Omit<FastLoadInput, "sql">): SpeculativeLoad {
  let state: "sniffing" | "loading" | "off" | "done" = "sniffing";
  let why: string | null = null;
  const head: Buffer[] = [];
  let headBytes = 0;
  let reserved: ReservedSql | null = null;
  let loader: FastLoader | null = null;
  let inflater: Inflater | null = null;
  let firstChunk = true;

  const release = () => {
    reserved?.release();
    reserved = null;
  };

  const stop = (reason: string) => {
    if (state === "off") return;
    state = "off";
    why = reason;
    loader?.abort();
    loader = null;
    inflater?.destroy();
    release();
  };

  /** The file's bytes from the fetched ones: inflated, if the first bytes say gzip. */
  async function plain(chunk: Buffer): Promise<Buffer | null> {
    if (firstChunk) {
      firstChunk = false;
      if (isGzip(chunk)) inflater = createInflater(input.maxBytes);
    }
    if (!inflater) return chunk;
    try {
      return await inflater.push(chunk);
    } catch (err) {
      stop(`gzip: ${(err as Error).message}`);
      return null;
    }
  }

  async function start(): Promise<void> {
    const first = Buffer.concat(head.splice(0));
    if (first.length === 0) return stop("empty file");
    if (isGzip(first)) return stop(inflater ? "gzip inside gzip" : "gzip file");
    let sniffed;
    try {
      sniffed = sniffHead(first, input.options);
    } catch (err) {
      // The load step reports it properly.
      return stop(`sniff: ${(err as Error).message}`);
    }
    if (!suitsFastPath(sniffed)) return stop(`encoding ${sniffed.encoding}`);
    const conn = await sql.reserve();
    // Discarded while waiting for the connection: nothing may be created after discard() dropped.
    if (state !== "sniffing") return conn.release();
    reserved = conn;
    loader = startFastLoad({ ...input, sql: reserved, extraConnection: () => sql.reserve() }, sniffed);
    state = "loading";
    await feed(first);
  }

  let starting: Promise<void> | null = null;
  function begin(): Promise<void> {
    starting ??= start().catch((err: Error) => stop(err.message));
    return starting;
  }

  async function feed(chunk: Buffer): Promise<void> {
    try {
      await loader!.push(chunk);
    } catch (err) {
      stop((err as Error).message);
    }
  }

  return {
    async push(fetched) {
      if (state !== "loading" && state !== "sniffing") return;
      const chunk = await plain(fetched);
      if (chunk === null) return;
      if (state === "loading") return feed(chunk);
      if (state !== "sniffing") return;
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes >= SNIFF_BYTES) await start().catch((err: Error) => stop(err.message));
    },
    async finish() {
      if (inflater && (state === "loading" || state === "sniffing")) {
        const rest = await inflater.end().catch((err: Error) => {
          stop(`gzip: ${err.message}`);
          return null;
        });
        if (rest && state === "sniffing") head.push(rest);
        else if (rest && state === "loading") await feed(rest);
      }
      if (state === "sniffing") await begin();
      if (state !== "loading") return null;
      try {
        const result = await loader!.finish();
        state = "done";
        return {
          versionNumber: input.versionNumber,
          rows: result.rows,
          columns: result.columns,
          delimiter: result.delimiter,
          encoding: result.encoding,
          dialect: result.dialect,
          lanes: result.lanes,
          ...(result.typed ? { typed: result.typed } : {}),
        };
      } catch (err) {
        stop((err as Error).message);
        return null;
      } finally {
        release();
      }
    },
    async discard() {
      await starting?.catch(() => {});
      stop(why ?? "discarded");
      await dropSpeculativeTables(sql, input);
    },
    reason: () => why,
  };
}

/** Drops what a speculative load may have created (its scratch table and typed twin); never throws. */
export async function dropSpeculativeTables(sql: Sql, input: { table: string; typedTable?: string }): Promise<void> {
  await sql.unsafe(`drop table if exists ${input.table}`).catch(() => {});
  if (input.typedTable) await sql.unsafe(`drop table if exists ${warehouseTable(input.typedTable)}`).catch(() => {});
}

type Inflater = { push(chunk: Buffer): Promise<Buffer>; end(): Promise<Buffer>; destroy(): void };

/**
 * Inflates a gzip body piece by piece: each push resolves with what that piece inflated to (zlib
 * hands its output over before it calls back), end() with the rest. Past `maxBytes` inflated it
 * refuses (a small file may inflate to an enormous one).
 */
function createInflater(maxBytes: number): Inflater {
  const gunzip = zlib.createGunzip();
  let out: Buffer[] = [];
  let total = 0;
  let error: Error | null = null;
  gunzip.on("data", (b: Buffer) => {
    out.push(b);
    total += b.length;
  });
  gunzip.on("error", (err: Error) => (error ??= err));
  const take = () => {
    if (error) throw error;
    if (total > maxBytes) throw new Error(`it inflates to more than ${maxBytes} bytes`);
    const taken = out.length === 1 ? out[0]! : Buffer.concat(out);
    out = [];
    return taken;
  };
  return {
    async push(chunk) {
      await new Promise<void>((resolve) => gunzip.write(chunk, () => resolve()));
      return take();
    },
    async end() {
      const ended = once(gunzip, "end").catch(() => {});
      gunzip.end();
      await ended;
      return take();
    },
    destroy: () => gunzip.destroy(),
  };
}

const FEED_BYTES = 1024 * 1024;

/**
 * A pass-through for a body on its way to object storage (a fetch or an upload) that hands each
 * piece to a speculative load first. Sockets deliver 64 KiB at a time; storage, the hash and COPY
 * are fed 1 MiB at a time, which cuts the per-chunk work (a file write, a COPY message, a promise)
 * sixteenfold. Each piece goes on to storage once COPY has it: storage and COPY share one pace.
 * `staged()` is what the load staged once the body has ended (null without speculation, or if it
 * switched itself off); it never rejects.
 */
export function tapIntoSpeculation(
  speculation: SpeculativeLoad | null,
  onBytes?: (total: number) => void,
): { stream: Transform; staged: () => Promise<StagedScratch | null> } {
  let bytes = 0;
  let staging: Promise<StagedScratch | null> | null = null;
  let held: Buffer[] = [];
  let heldBytes = 0;
  const forward = (self: Transform, done: (err?: Error | null) => void) => {
    const chunk = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    held = [];
    heldBytes = 0;
    if (!speculation) {
      self.push(chunk);
      return done();
    }
    speculation.push(chunk).then(() => {
      self.push(chunk);
      done();
    }, done);
  };
  // Counting inside transform() (not with a 'data' listener, which would start the flow before
  // storage reads it and drop bytes).
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      onBytes?.(bytes);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes < FEED_BYTES) return done();
      forward(this, done);
    },
    flush(done) {
      const end = (err?: Error | null) => {
        // The whole body is in: COPY ends and commits while storage still syncs the file to disk.
        if (!err) staging = speculation?.finish() ?? null;
        done(err);
      };
      if (heldBytes > 0) forward(this, end);
      else end();
    },
  });
  return { stream, staged: () => (speculation ? (staging ?? speculation.finish()) : Promise.resolve(null)) };
}
