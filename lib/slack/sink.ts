import http from "node:http";
import type { AddressInfo } from "node:net";
import { checkPayload } from "@/lib/slack/limits";

/**
 * A stand-in for Slack's incoming webhooks, for development (`npm run slack-sink`) and tests:
 * it validates each post against Slack's limits (answering 400 invalid_blocks/invalid_payload
 * as Slack does), records what it accepted, and can be told to misbehave.
 *
 * Control endpoints (JSON): GET /_sink/messages, DELETE /_sink/messages,
 * POST /_sink/script  { responses: [{ status, body?, retryAfter? }, …] }  answered in order,
 * then back to 200 "ok".
 */
export type SinkMessage = { path: string; body: unknown; receivedAt: number };
export type ScriptedResponse = { status: number; body?: string; retryAfter?: number; delayMs?: number };

export type SlackSink = {
  url: string;
  port: number;
  webhookUrl: (path?: string) => string;
  messages: SinkMessage[];
  script: (responses: ScriptedResponse[]) => void;
  requests: () => number;
  close: () => Promise<void>;
};

function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startSlackSink(opts: { port?: number; host?: string } = {}): Promise<SlackSink> {
  const messages: SinkMessage[] = [];
  let scripted: ScriptedResponse[] = [];
  let requestCount = 0;

  const server = http.createServer(async (req, res) => {
    const url = req.url ?? "/";
    const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (url.startsWith("/_sink/")) {
      if (url === "/_sink/messages" && req.method === "GET") return json(200, messages);
      if (url === "/_sink/messages" && req.method === "DELETE") {
        messages.length = 0;
        return json(200, { ok: true });
      }
      if (url === "/_sink/script" && req.method === "POST") {
        scripted = (JSON.parse(await readBody(req)) as { responses: ScriptedResponse[] }).responses ?? [];
        return json(200, { ok: true });
      }
      return json(404, { error: "unknown control endpoint" });
    }
    if (req.method !== "POST" || !/^\/(services|triggers)\//.test(url)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("no_service");
      return;
    }
    requestCount++;
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      res.writeHead(413, { "content-type": "text/plain" }).end("request_too_large");
      return;
    }
    const next = scripted.shift();
    if (next) {
      if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
      const headers: Record<string, string> = { "content-type": "text/plain" };
      if (next.retryAfter !== undefined) headers["retry-after"] = String(next.retryAfter);
      res
        .writeHead(next.status, headers)
        .end(next.body ?? (next.status === 429 ? "rate_limited" : next.status >= 500 ? "internal_error" : "error"));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("invalid_payload");
      return;
    }
    const problem = checkPayload(body);
    if (problem) {
      res.writeHead(400, { "content-type": "text/plain" }).end(problem.error);
      return;
    }
    messages.push({ path: url, body, receivedAt: Date.now() });
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    webhookUrl: (path = "/services/T000/B000/sink") => `${base}${path}`,
    messages,
    script: (responses) => {
      scripted = [...responses];
    },
    requests: () => requestCount,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
