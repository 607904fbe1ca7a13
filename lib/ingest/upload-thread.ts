import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { createSqlClient } from "@/db";
import { resolveDatabaseUrl } from "@/db/connection-url";
import { createSpeculativeLoad, type SpeculativeLoad } from "@/lib/ingest/speculative-load";
import { UPLOAD_THREAD_KIND, type ThreadData, type ThreadReply, type ThreadRequest } from "@/lib/ingest/upload-thread-protocol";

/**
 * The worker thread an upload's speculative load runs in (lib/ingest/upload-speculation.ts starts
 * it): the same createSpeculativeLoad as in the web process, on connections of its own, fed the
 * pieces the request thread copies across. It ends once the load is finished or discarded.
 * scripts/web-server.ts bundles this file to .build/upload-thread.cjs (jobs/bundle.mjs).
 */

/** The load, a second lane and the typed twin each hold a connection; one spare. */
const THREAD_POOL_MAX = 4;
/** How its connections show in pg_stat_activity. */
export const UPLOAD_THREAD_APPLICATION_NAME = "relayboard upload thread";

function serve(port: MessagePort, data: ThreadData): void {
  const sql = createSqlClient(resolveDatabaseUrl(), { max: THREAD_POOL_MAX, applicationName: UPLOAD_THREAD_APPLICATION_NAME });
  const load: SpeculativeLoad = createSpeculativeLoad(sql, { ...data.input, onProgress: () => {} });
  let ending: Promise<void> | null = null;
  // After the last answer: the pool's connections go, and with the port closed the thread exits.
  const end = () => (ending ??= sql.end({ timeout: 5 }).finally(() => port.close()));
  const reply = (message: ThreadReply) => port.postMessage(message);

  const handle = async (request: ThreadRequest): Promise<void> => {
    try {
      if (request.op === "push") {
        await load.push(Buffer.from(request.chunk.buffer, request.chunk.byteOffset, request.chunk.byteLength));
        reply({ id: request.id, reason: load.reason() });
      } else if (request.op === "finish") {
        const staged = await load.finish();
        reply({ id: request.id, reason: load.reason(), staged });
        await end();
      } else {
        await load.discard();
        reply({ id: request.id, reason: load.reason() });
        await end();
      }
    } catch (err) {
      // The speculative load catches its own failures; this would be a bug, reported as "stopped".
      reply({ id: request.id, reason: `upload thread: ${err instanceof Error ? err.message : String(err)}`, staged: null });
      await end();
    }
  };
  // Pieces and the finish go to the load one at a time, in order, as the request thread sent
  // them; a discard does not wait behind them (as in-process, it may come while a push waits).
  let queue = Promise.resolve();
  port.on("message", (request: ThreadRequest) => {
    if (request.op === "discard") void handle(request);
    else queue = queue.then(() => handle(request));
  });
}

if (!isMainThread && parentPort && (workerData as ThreadData | null)?.kind === UPLOAD_THREAD_KIND) {
  serve(parentPort, workerData as ThreadData);
}
