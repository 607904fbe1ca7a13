import type { ReservedSql, Sql } from "postgres";
import type { StagedScratch } from "@/db/schema/datasets";
import { startFastLoad, type FastLoader, type FastLoadInput } from "@/lib/ingest/load-fast";
import { isGzip, sniffHead, SNIFF_BYTES, suitsFastPath } from "@/lib/ingest/load-staging";

/**
 * Loads the file into its scratch table while it is being fetched, so that fetching and loading
 * overlap instead of taking turns (the network and storage wait on one core, COPY works on the
 * other). It is speculative in two ways, and both are cheap to undo:
 *  - the content may turn out to be unchanged (same sha256 as the latest version): the scratch
 *    table is dropped and nothing else happened;
 *  - the file may need the exact parser (not UTF-8, gzip inside, a quote inside an unquoted
 *    field, a ragged row, …): speculation switches itself off, the fetch carries on, and the
 *    load step loads the stored file the normal way.
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
    release();
  };

  async function start(): Promise<void> {
    const first = Buffer.concat(head.splice(0));
    if (first.length === 0) return stop("empty file");
    if (isGzip(first)) return stop("gzip file");
    let sniffed;
    try {
      sniffed = sniffHead(first, input.options);
    } catch (err) {
      // The load step reports it properly.
      return stop(`sniff: ${(err as Error).message}`);
    }
    if (!suitsFastPath(sniffed)) return stop(`encoding ${sniffed.encoding}`);
    reserved = await sql.reserve();
    loader = startFastLoad({ ...input, sql: reserved, extraConnection: () => sql.reserve() }, sniffed);
    state = "loading";
    await feed(first);
  }

  async function feed(chunk: Buffer): Promise<void> {
    try {
      await loader!.push(chunk);
    } catch (err) {
      stop((err as Error).message);
    }
  }

  return {
    async push(chunk) {
      if (state === "loading") return feed(chunk);
      if (state !== "sniffing") return;
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes >= SNIFF_BYTES) await start().catch((err: Error) => stop(err.message));
    },
    async finish() {
      if (state === "sniffing") await start().catch((err: Error) => stop(err.message));
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
        };
      } catch (err) {
        stop((err as Error).message);
        return null;
      } finally {
        release();
      }
    },
    async discard() {
      stop(why ?? "discarded");
      await sql.unsafe(`drop table if exists ${input.table}`).catch(() => {});
    },
    reason: () => why,
  };
}
