import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";

export type FileServer = {
  port: number;
  /**
   * Serves `filePath` (streamed from disk on every request) at the returned URL, as `contentType`
   * (by default `text/csv; charset=utf-8`).
   */
  host: (urlPath: string, filePath: string, contentType?: string) => string;
  close: () => Promise<void>;
};

/** A plain HTTP server on 127.0.0.1 standing in for wherever users keep their CSVs. */
export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, { filePath: string; contentType: string }>();
  const server = http.createServer((req, res) => {
    const { filePath, contentType } = files.get(req.url ?? "") ?? { filePath: null, contentType: "" };
    if (!filePath || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    fs.stat(filePath, (err, stat) => {
      if (err) {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(err.code ?? err.message));
        return;
      }
      res.writeHead(200, { "content-type": contentType, "content-length": String(stat.size) });
      if (req.method === "HEAD") {
        res.end();
        return;
      }
      pipeline(fs.createReadStream(filePath, { highWaterMark: 256 * 1024 }), res, () => {});
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host: (urlPath, filePath, contentType = "text/csv; charset=utf-8") => {
      files.set(urlPath, { filePath, contentType });
      return `http://127.0.0.1:${port}${urlPath}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
