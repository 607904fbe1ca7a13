import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * `slowMs`: the body trickles out over about this long (for cancel and concurrency tests).
 * `etag` / `lastModified`: sent with the file, and a matching If-None-Match / If-Modified-Since is
 * answered 304 with no body, as a conditional-GET-aware server does.
 */
export type HostedFile = {
  body: Buffer | string;
  headers?: Record<string, string>;
  status?: number;
  slowMs?: number;
  etag?: string;
  lastModified?: string;
};

/** A real HTTP server on 127.0.0.1 standing in for wherever users keep their CSVs. */
export async function startCsvHost(): Promise<{
  port: number;
  url: (path: string) => string;
  files: Map<string, HostedFile>;
  requests: string[];
  /** Each request's conditional headers and whether a body was sent, in order. */
  log: { path: string; ifNoneMatch?: string; ifModifiedSince?: string; status: number }[];
  close: () => Promise<void>;
}> {
  const files = new Map<string, HostedFile>();
  const requests: string[] = [];
  const log: { path: string; ifNoneMatch?: string; ifModifiedSince?: string; status: number }[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const file = files.get(req.url ?? "");
    const entry = {
      path: req.url ?? "",
      ifNoneMatch: req.headers["if-none-match"],
      ifModifiedSince: req.headers["if-modified-since"],
      status: file ? (file.status ?? 200) : 404,
    };
    log.push(entry);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const validators = {
      ...(file.etag ? { etag: file.etag } : {}),
      ...(file.lastModified ? { "last-modified": file.lastModified } : {}),
    };
    const unmodified =
      (file.etag !== undefined && entry.ifNoneMatch === file.etag) ||
      (file.etag === undefined && file.lastModified !== undefined && entry.ifModifiedSince === file.lastModified);
    if (unmodified) {
      entry.status = 304;
      res.writeHead(304, validators).end();
      return;
    }
    const body = typeof file.body === "string" ? Buffer.from(file.body) : file.body;
    res.writeHead(file.status ?? 200, {
      "content-type": "text/csv",
      "content-length": String(body.length),
      ...validators,
      ...file.headers,
    });
    if (!file.slowMs) {
      res.end(body);
      return;
    }
    const pieces = 50;
    const size = Math.ceil(body.length / pieces);
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= pieces) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(body.subarray(i * size, (i + 1) * size));
      i++;
    }, file.slowMs / pieces);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    files,
    requests,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
