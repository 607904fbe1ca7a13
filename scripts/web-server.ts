import http from "node:http";
import next from "next";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/log";
import { stampPeer } from "@/lib/auth/client-address";
import { UPLOAD_THREAD_ENTRY, setUploadThreadEntry } from "@/lib/ingest/upload-speculation";
import { ensureBundle } from "../jobs/bundle.mjs";

/**
 * The web process the launcher starts (`node --import tsx scripts/web-server.ts dev|start`): Next's
 * request handler behind a plain Node server, so that each request carries the socket's peer address
 * (lib/auth/client-address.ts); `next start` gives the app no way to learn it. Listens on HOST,
 * 127.0.0.1 unless set.
 */
async function main(): Promise<void> {
  const dev = process.argv[2] === "dev";
  const env = getEnv();
  const log = getLogger().child({ role: "web" });
  const app = next({ dev, dir: process.cwd(), hostname: env.host, port: env.port });
  // Next attaches its own upgrade listener (dev reloads) to this server on the first request.
  const handle = app.getRequestHandler();
  await app.prepare();
  // Large uploads load in a worker thread (lib/ingest/upload-speculation.ts), from a bundle made
  // here as the worker's is (jobs/start.mjs), so that the thread needs neither tsx nor Next.
  // Without it (a read-only install missing the bundle) uploads load in this thread, as before.
  try {
    setUploadThreadEntry(ensureBundle({ root: process.cwd(), entry: UPLOAD_THREAD_ENTRY, name: "upload-thread" }).bundle);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, "upload thread not bundled; uploads load in the web process");
  }

  const server = http.createServer((req, res) => {
    stampPeer(req.headers, req.socket.remoteAddress, env.authSecret);
    handle(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, "request failed");
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.port, env.host, () => resolve());
  });
  log.info({ host: env.host, port: env.port, dev }, "web server listening");

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "web server stopping");
    server.close(() => void app.close().finally(() => process.exit(0)));
    server.closeIdleConnections();
    // Open keep-alive or streaming connections must not hold the launcher's shutdown forever.
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
