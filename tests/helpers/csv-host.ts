import http from "node:http";
import type { AddressInfo } from "node:net";

/** `slowMs`: the body trickles out over about this long (for cancel and concurrency tests). */
export type HostedFile = { body: Buffer | string; headers?: Record<string, string>; status?: number; slowMs?: number };

/** A real HTTP server on 127.0.0.1 standing in for wherever users keep their CSVs. */
export async function startCsvHost(): Promise<{
  port: number;
  url: (path: string) => string;
  files: Map<string, HostedFile>;
  requests: string[];
  close: () => Promise<void>;
}> {
  const files = new Map<string, HostedFile>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const file = files.get(req.url ?? "");
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const body = typeof file.body === "string" ? Buffer.from(file.body) : file.body;
    res.writeHead(file.status ?? 200, { "content-type": "text/csv", "content-length": String(body.length), ...file.headers });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
