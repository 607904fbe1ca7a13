import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";

/**
 * The upload path of a real client: `POST /v1/datasets/csv` as multipart/form-data over HTTP on
 * 127.0.0.1 from a client process of its own, handled by the app's own route handler (app/v1/datasets/csv/route.ts, the code `next
 * start` serves, with a Bearer token), the file streamed from disk by the client and by the route
 * into object storage. Only Next's HTTP layer is left out: an adapter hands each request to the
 * handler as a web Request with the body streamed, so no production build is needed. As in
 * scripts/web-server.ts, a large upload's load runs in the upload thread (lib/ingest/upload-speculation.ts).
 */
export type UploadRoute = {
  /** Uploads `filePath` as dataset `name` (fields before the file, as the app's form sends them); answers its load. */
  upload: (name: string, filePath: string) => Promise<{ datasetId: string; loadId: string }>;
  close: () => Promise<void>;
};

type Handler = (request: Request) => Promise<Response>;

export async function startUploadRoute(token: string): Promise<UploadRoute> {
  // Imported here: the app modules read their configuration when first loaded.
  const route = (await import("@/app/v1/datasets/csv/route")) as unknown as { POST: Handler };
  const { getSql } = await import("@/db");
  const { setUploadThreadEntry, UPLOAD_THREAD_ENTRY } = await import("@/lib/ingest/upload-speculation");
  const { ensureBundle } = await import("@/jobs/bundle.mjs");
  setUploadThreadEntry(ensureBundle({ root: process.cwd(), entry: UPLOAD_THREAD_ENTRY, name: "upload-thread" }).bundle);
  const server = http.createServer((req, res) => {
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(key, value);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body, duplex: "half" } as RequestInit);
    const handle: Handler =
      req.url === "/v1/datasets/csv" && req.method === "POST" ? route.POST : async () => new Response(null, { status: 404 });
    handle(request)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;

  const upload = async (name: string, filePath: string) => {
    // The client is a process of its own (bench/upload-client.mjs), as a user's curl is: sending
    // 165 MB from this process would share one event loop with the route that receives it.
    const client = spawn(process.execPath, [path.join(__dirname, "upload-client.mjs"), String(port), name, filePath], {
      env: { ...process.env, BENCH_UPLOAD_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    client.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    client.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const [code] = (await once(client, "close")) as [number | null];
    if (code !== 0) throw new Error(`the upload client failed (${code}): ${err.slice(0, 500)}`);
    const newline = out.indexOf("\n");
    const answer = { status: Number(out.slice(0, newline)), body: out.slice(newline + 1) };
    if (answer.status !== 201) throw new Error(`POST /v1/datasets/csv answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    const { dataset } = JSON.parse(answer.body) as { dataset: { id: string; latestRunId: string } };
    const [run] = await getSql()`select load_id from relayboard.runs where id = ${dataset.latestRunId}`;
    if (!run?.load_id) throw new Error(`the upload's first run ${dataset.latestRunId} has no load`);
    return { datasetId: dataset.id, loadId: run.load_id as string };
  };

  return {
    upload,
    close: () =>
      new Promise<void>((resolve) => {
        setUploadThreadEntry(null);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
