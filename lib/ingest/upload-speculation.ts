import { Worker } from "node:worker_threads";
import type { StagedScratch } from "@/db/schema/datasets";
import { getSql } from "@/db";
import { getLogger } from "@/lib/log";
import { createSpeculativeLoad, dropSpeculativeTables, type SpeculativeLoad } from "@/lib/ingest/speculative-load";
import {
  UPLOAD_THREAD_KIND,
  type ThreadData,
  type ThreadLoadInput,
  type ThreadReply,
  type ThreadRequest,
} from "@/lib/ingest/upload-thread-protocol";

/**
 * Where an upload's speculative load runs. The web process serves every page and API call on one
 * event loop; an upload loaded on that loop (scan, COPY writes, their garbage) kept it busy 55–70 %
 * of the time, and a dashboard render — a dozen awaits, each waiting out a turn of the loop — took
 * 0.8–1.1 s instead of 0.1 s while a 165 MB upload streamed in (the same render stayed under
 * 0.3 s during a URL load, whose load runs in the worker process; docs/benchmarks.md). So a large
 * upload's load runs in a worker thread of its own: its own loop, heap and database connections;
 * the request thread only copies each 1 MiB piece across. The first pieces are held until the
 * upload is past THREAD_AFTER_BYTES: a small upload never pays for starting a thread (tens of ms)
 * and is loaded here as before.
 *
 * The thread runs the bundle scripts/web-server.ts registers (setUploadThreadEntry); without one (tests,
 * scripts) every upload loads in-process. A thread that fails only switches speculation off: the
 * worker then loads the stored file, as for any upload speculation gave up on.
 */

/** The thread's source, which scripts/web-server.ts bundles (jobs/bundle.mjs) and registers. */
export const UPLOAD_THREAD_ENTRY = "lib/ingest/upload-thread.ts";

const THREAD_AFTER_BYTES = 4 * 1024 * 1024;
/** Concurrent upload threads, each with up to four connections; more uploads load in-process. */
const MAX_THREADS = 2;
const THREAD_END_GRACE_MS = 10_000;

/** Shared through globalThis: scripts/web-server.ts and Next's server bundle hold separate copies of this module. */
const ENTRY = Symbol.for("relayboard.uploadThreadEntry");
const registry = globalThis as unknown as { [ENTRY]?: string | null };

/** The upload thread's bundle (null: load every upload in-process). */
export function setUploadThreadEntry(entry: string | null): void {
  registry[ENTRY] = entry;
}

let running = 0;
let started = 0;

/** Upload threads started in this process, for tests. */
export function uploadThreadsStarted(): number {
  return started;
}

export function createUploadSpeculation(input: ThreadLoadInput): SpeculativeLoad {
  const entry = registry[ENTRY];
  const local = () => createSpeculativeLoad(getSql(), { ...input, onProgress: () => {} });
  if (!entry) return local();

  let target: SpeculativeLoad | null = null;
  let held: Buffer[] = [];
  let heldBytes = 0;
  // The held pieces, fed one after another (a speculative load takes one push at a time).
  let caughtUp: Promise<void> = Promise.resolve();
  const choose = (big: boolean): SpeculativeLoad => {
    if (!target) {
      const chosen = (big && running < MAX_THREADS && tryStartThread(entry, input)) || local();
      target = chosen;
      const pieces = held;
      held = [];
      caughtUp = (async () => {
        for (const piece of pieces) await chosen.push(piece);
      })();
    }
    return target;
  };
  return {
    async push(chunk) {
      if (!target) {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes < THREAD_AFTER_BYTES) return;
        // Back-pressure from here on: the caller waits until the load has taken the held pieces.
        choose(true);
        return caughtUp;
      }
      await caughtUp;
      return target.push(chunk);
    },
    async finish() {
      const chosen = choose(false);
      await caughtUp;
      return chosen.finish();
    },
    async discard() {
      held = [];
      if (target) await target.discard();
      else await dropSpeculativeTables(getSql(), input);
    },
    reason: () => target?.reason() ?? null,
  };
}

function tryStartThread(entry: string, input: ThreadLoadInput): SpeculativeLoad | null {
  try {
    return startThread(entry, input);
  } catch (err) {
    getLogger().warn({ err: err instanceof Error ? err.message : String(err) }, "upload thread not started; loading in-process");
    return null;
  }
}

function startThread(entry: string, input: ThreadLoadInput): SpeculativeLoad {
  const data: ThreadData = { kind: UPLOAD_THREAD_KIND, input };
  // No execArgv: the web process runs under `--import tsx`, which the bundle does not need.
  const worker = new Worker(entry, { workerData: data, execArgv: [] });
  worker.unref();
  running++;
  started++;
  let nextId = 0;
  let why: string | null = null;
  let exited = false;
  const pending = new Map<number, (reply: ThreadReply | null) => void>();
  worker.on("message", (reply: ThreadReply) => {
    why = reply.reason ?? why;
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  worker.on("error", (err) => {
    why ??= `upload thread: ${err.message}`;
    getLogger().warn({ err: err.message }, "upload thread failed; the worker will load the stored file");
  });
  worker.once("exit", () => {
    exited = true;
    running--;
    why ??= "upload thread exited";
    for (const settle of pending.values()) settle(null);
    pending.clear();
  });
  const ask = (request: DistributiveOmit<ThreadRequest, "id">): Promise<ThreadReply | null> => {
    if (exited) return Promise.resolve(null);
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      const message = { ...request, id } as ThreadRequest;
      worker.postMessage(message, message.op === "push" ? [message.chunk.buffer as ArrayBuffer] : []);
    });
  };
  return {
    async push(chunk) {
      // A copy to hand over: the caller's buffer goes on to storage, and may share its memory.
      const copy = new Uint8Array(chunk.length);
      copy.set(chunk);
      await ask({ op: "push", chunk: copy });
    },
    async finish(): Promise<StagedScratch | null> {
      const reply = await ask({ op: "finish" });
      return reply?.staged ?? null;
    },
    async discard() {
      await ask({ op: "discard" });
      // Whatever the thread got to do before it answered (or died): nothing of it may stay.
      await dropSpeculativeTables(getSql(), input);
      // It ends itself once its connections are closed; one that hangs is stopped.
      if (!exited) setTimeout(() => void worker.terminate(), THREAD_END_GRACE_MS).unref();
    },
    reason: () => why,
  };
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
