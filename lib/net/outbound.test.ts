import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { once } from "node:events";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EMPTY_ALLOW_LIST, parseAllowList } from "@/lib/net/address-policy";
import {
  OutboundBlockedError,
  OutboundError,
  OutboundHttpError,
  OutboundIncompleteError,
  OutboundTimeoutError,
  OutboundTooLargeError,
} from "@/lib/net/errors";
import { type HostLookup, openStream, request, validateOutboundUrl } from "@/lib/net/outbound";

// Every request in this file goes to 127.0.0.1 or ::1 (names are mapped there by `lookup` or
// /etc/hosts); other addresses are only ever given to the pure checks, never to a socket.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type TestServer = {
  port: number;
  /** Connections accepted on 127.0.0.1 and, when the machine has IPv6, on ::1 at the same port. */
  connections: number;
  requests: IncomingMessage[];
  hasIpv6: boolean;
  url: (path?: string) => string;
};

const servers: http.Server[] = [];

async function listen(server: http.Server, host: string, port: number): Promise<boolean> {
  servers.push(server);
  try {
    server.listen(port, host);
    await once(server, "listening");
    return true;
  } catch {
    return false;
  }
}

async function startServer(handler: Handler): Promise<TestServer> {
  const state: TestServer = { port: 0, connections: 0, requests: [], hasIpv6: false, url: () => "" };
  const make = () => {
    const server = http.createServer((req, res) => {
      state.requests.push(req);
      handler(req, res);
    });
    server.on("connection", () => state.connections++);
    return server;
  };
  const v4 = make();
  await listen(v4, "127.0.0.1", 0);
  state.port = (v4.address() as AddressInfo).port;
  state.hasIpv6 = await listen(make(), "::1", state.port);
  state.url = (path = "/") => `http://127.0.0.1:${state.port}${path}`;
  return state;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
});

const ok: Handler = (_req, res) => {
  res.setHeader("content-type", "text/csv");
  res.end("a,b\n1,2\n");
};

const toLoopback: HostLookup = async () => [{ address: "127.0.0.1", family: 4 }];

async function consume(body: Readable): Promise<{ bytes: number; text: string; error?: unknown }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (chunks.length < 64) chunks.push(chunk as Buffer);
    }
    return { bytes, text: Buffer.concat(chunks).toString("utf8") };
  } catch (error) {
    return { bytes, text: "", error };
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject");
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function gzipOfZeros(total: number): Promise<Buffer> {
  const gzip = zlib.createGzip();
  const out: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => out.push(chunk));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < total; written += chunk.length) {
    if (!gzip.write(chunk)) await once(gzip, "drain");
  }
  gzip.end();
  await once(gzip, "end");
  return Buffer.concat(out);
}

describe("validateOutboundUrl", () => {
  it.each(["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "data:text/plain,hi", "gopher://h/"])("refuses %s", (url) => {
    expect(() => validateOutboundUrl(url)).toThrow(OutboundBlockedError);
    expect(() => validateOutboundUrl(url)).toThrow(/scheme/);
  });

  it("refuses credentials in the URL", () => {
    expect(() => validateOutboundUrl("https://user:pass@example.com/a.csv")).toThrow(/user name or password/);
    expect(() => validateOutboundUrl("https://user@example.com/a.csv")).toThrow(OutboundBlockedError);
  });

  it("refuses what is not a URL", () => {
    expect(() => validateOutboundUrl("not a url")).toThrow(/not a valid URL/);
    expect(() => validateOutboundUrl("/relative/path.csv")).toThrow(OutboundBlockedError);
  });

  it("accepts http and https without touching the network", () => {
    expect(validateOutboundUrl("https://example.com/a.csv?x=1").hostname).toBe("example.com");
    expect(validateOutboundUrl("http://10.0.0.1/a.csv").hostname).toBe("10.0.0.1");
  });

  it("checks IP-literal hosts when given an allow list", () => {
    expect(() => validateOutboundUrl("http://169.254.169.254/latest/meta-data", EMPTY_ALLOW_LIST)).toThrow(/cloud metadata/);
    expect(() => validateOutboundUrl("http://2130706433/", EMPTY_ALLOW_LIST)).toThrow("address 127.0.0.1 is loopback and not allowed");
    expect(() => validateOutboundUrl("http://[::ffff:127.0.0.1]/", EMPTY_ALLOW_LIST)).toThrow(/IPv4-mapped/);
    expect(validateOutboundUrl("http://127.0.0.1:8080/", parseAllowList(["127.0.0.1:8080"])).port).toBe("8080");
  });
});

describe("openStream refuses loopback before connecting", { timeout: 10_000 }, () => {
  it.each([
    ["http://127.0.0.1:PORT/", "loopback"],
    ["http://localhost:PORT/", "loopback"],
    ["http://[::1]:PORT/", "loopback"],
    ["http://[::ffff:127.0.0.1]:PORT/", "IPv4-mapped"],
    ["http://2130706433:PORT/", "loopback"],
    ["http://0x7f.1:PORT/", "loopback"],
    ["http://0177.0.0.1:PORT/", "loopback"],
    ["http://0.0.0.0:PORT/", "unspecified"],
  ])("%s", async (template, why) => {
    const server = await startServer(ok);
    const url = template.replace("PORT", String(server.port));
    const err = await rejection(openStream(url, { allow: EMPTY_ALLOW_LIST, maxBytes: 1024 }));
    expect(err).toBeInstanceOf(OutboundBlockedError);
    expect((err as Error).message).toContain(why);
    await settle();
    expect(server.connections).toBe(0);
  });

  it("checks the addresses a name resolves to (evil.test → 127.0.0.1)", async () => {
    const server = await startServer(ok);
    const err = await rejection(
      openStream(`http://evil.test:${server.port}/a.csv`, { allow: EMPTY_ALLOW_LIST, maxBytes: 1024, lookup: toLoopback }),
    );
    expect(err).toBeInstanceOf(OutboundBlockedError);
    expect((err as Error).message).toBe("host evil.test: address 127.0.0.1 is loopback and not allowed");
    await settle();
    expect(server.connections).toBe(0);
  });

  it("refuses a name when any one of its addresses is refused", async () => {
    const server = await startServer(ok);
    const lookup: HostLookup = async () => [
      { address: "127.0.0.1", family: 4 },
      { address: "::ffff:127.0.0.1", family: 6 },
    ];
    const allow = parseAllowList(["127.0.0.1/32"]);
    const err = await rejection(openStream(`http://mixed.test:${server.port}/`, { allow, maxBytes: 1024, lookup }));
    expect(err).toBeInstanceOf(OutboundBlockedError);
    await settle();
    expect(server.connections).toBe(0);
  });

  it("refuses an allow-listed host on another port", async () => {
    const server = await startServer(ok);
    const allow = parseAllowList([`127.0.0.1:${server.port + 1}`]);
    await expect(openStream(server.url(), { allow, maxBytes: 1024 })).rejects.toBeInstanceOf(OutboundBlockedError);
    await settle();
    expect(server.connections).toBe(0);
  });
});

describe("openStream to allowed hosts", { timeout: 10_000 }, () => {
  it.each([["127.0.0.1:PORT"], ["127.0.0.1/32"], ["127.0.0.1"]])("succeeds with allow list %s", async (entry) => {
    const server = await startServer(ok);
    const allow = parseAllowList([entry.replace("PORT", String(server.port))]);
    const result = await openStream(server.url("/a.csv"), { allow, maxBytes: 1024 });
    expect(result.status).toBe(200);
    expect(result.url).toBe(server.url("/a.csv"));
    expect(result.contentLength).toBe(8);
    expect((await consume(result.body)).text).toBe("a,b\n1,2\n");
    expect(server.connections).toBe(1);
  });

  it("lets an allow-listed name reach the private address it resolves to", async () => {
    const server = await startServer(ok);
    const allow = parseAllowList([`evil.test:${server.port}`]);
    const result = await openStream(`http://evil.test:${server.port}/a.csv`, { allow, maxBytes: 1024, lookup: toLoopback });
    expect((await consume(result.body)).text).toBe("a,b\n1,2\n");
    expect(server.requests[0].headers.host).toBe(`evil.test:${server.port}`);
  });

  it("connects to localhost when it is allow-listed (real resolver)", async () => {
    const server = await startServer(ok);
    const allow = parseAllowList([`localhost:${server.port}`]);
    const result = await openStream(`http://localhost:${server.port}/`, { allow, maxBytes: 1024 });
    expect((await consume(result.body)).text).toBe("a,b\n1,2\n");
  });

  it("connects to ::1 when ::1/128 is allow-listed", async (ctx) => {
    const server = await startServer(ok);
    if (!server.hasIpv6) ctx.skip();
    const result = await openStream(`http://[::1]:${server.port}/`, { allow: parseAllowList(["::1/128"]), maxBytes: 1024 });
    expect((await consume(result.body)).text).toBe("a,b\n1,2\n");
  });

  it("goes through TLS for https (a plain-HTTP server fails the handshake, no hang)", async () => {
    const server = await startServer(ok);
    const err = await rejection(
      openStream(`https://127.0.0.1:${server.port}/`, { allow: parseAllowList(["127.0.0.1/32"]), maxBytes: 1024 }),
    );
    expect(err).toBeInstanceOf(OutboundError);
    expect(err).not.toBeInstanceOf(OutboundBlockedError);
    expect(server.connections).toBe(1);
  });

  it("sends the caller's headers", async () => {
    const server = await startServer(ok);
    const result = await openStream(server.url(), {
      allow: parseAllowList(["127.0.0.1/32"]),
      maxBytes: 1024,
      headers: { Authorization: "Bearer t0k" },
    });
    await consume(result.body);
    expect(server.requests[0].headers.authorization).toBe("Bearer t0k");
    expect(server.requests[0].headers["accept-encoding"]).toBe("gzip, deflate");
  });
});

describe("redirects", { timeout: 10_000 }, () => {
  it("refuses a redirect from an allowed host to one that is not allowed", async () => {
    const target = await startServer(ok);
    const source = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end();
    });
    const allow = parseAllowList([`127.0.0.1:${source.port}`]);
    const err = await rejection(openStream(source.url(), { allow, maxBytes: 1024 }));
    expect(err).toBeInstanceOf(OutboundBlockedError);
    expect((err as Error).message).toContain("127.0.0.1 is loopback");
    await settle();
    expect(source.connections).toBe(1);
    expect(target.connections).toBe(0);
  });

  it("refuses a redirect to a name that resolves to a refused address", async () => {
    const target = await startServer(ok);
    const source = await startServer((_req, res) => {
      res.writeHead(307, { location: `http://localhost:${target.port}/` }).end();
    });
    const allow = parseAllowList([`127.0.0.1:${source.port}`]);
    await expect(openStream(source.url(), { allow, maxBytes: 1024 })).rejects.toBeInstanceOf(OutboundBlockedError);
    await settle();
    expect(target.connections).toBe(0);
  });

  it("refuses a redirect to another scheme", async () => {
    const source = await startServer((_req, res) => res.writeHead(301, { location: "file:///etc/passwd" }).end());
    const allow = parseAllowList([`127.0.0.1:${source.port}`]);
    await expect(openStream(source.url(), { allow, maxBytes: 1024 })).rejects.toThrow(/scheme file:/);
  });

  it("follows up to three redirects and reports the final URL", async () => {
    const server = await startServer((req, res) => {
      const step = Number(req.url?.slice(1) || "0");
      if (step < 3) res.writeHead(step === 0 ? 301 : 308, { location: `/${step + 1}` }).end();
      else ok(req, res);
    });
    const result = await openStream(server.url("/0"), { allow: parseAllowList(["127.0.0.1/32"]), maxBytes: 1024 });
    expect(result.url).toBe(server.url("/3"));
    expect((await consume(result.body)).text).toBe("a,b\n1,2\n");
  });

  it("stops after the third redirect", async () => {
    const server = await startServer((req, res) => {
      res.writeHead(302, { location: `/${Number(req.url?.slice(1) || "0") + 1}` }).end();
    });
    const err = await rejection(openStream(server.url("/0"), { allow: parseAllowList(["127.0.0.1/32"]), maxBytes: 1024 }));
    expect(err).toBeInstanceOf(OutboundError);
    expect((err as Error).message).toContain("stopped after 3 redirects");
    expect(server.requests.map((r) => r.url)).toEqual(["/0", "/1", "/2", "/3"]);
  });

  it("drops Authorization when a redirect leaves the origin", async () => {
    const target = await startServer(ok);
    const source = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end();
    });
    const result = await openStream(source.url(), {
      allow: parseAllowList(["127.0.0.1/32"]),
      maxBytes: 1024,
      headers: { authorization: "Bearer secret" },
    });
    await consume(result.body);
    expect(source.requests[0].headers.authorization).toBe("Bearer secret");
    expect(target.requests[0].headers.authorization).toBeUndefined();
  });
});

describe("timeouts", { timeout: 10_000 }, () => {
  const allow = parseAllowList(["127.0.0.1/32"]);

  it("fires the headers timeout when the server never answers", async () => {
    const server = await startServer(() => {
      // Accept the request and say nothing.
    });
    const started = Date.now();
    const err = await rejection(openStream(server.url(), { allow, maxBytes: 1024, headersTimeoutMs: 300 }));
    expect(err).toBeInstanceOf(OutboundTimeoutError);
    expect((err as OutboundTimeoutError).phase).toBe("headers");
    expect((err as Error).message).toContain("headers timeout");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fires the connect timeout when the name never resolves", async () => {
    const lookup: HostLookup = () => new Promise(() => {});
    const err = await rejection(openStream("http://stuck.test/", { allow, maxBytes: 1024, lookup, connectTimeoutMs: 200 }));
    expect(err).toBeInstanceOf(OutboundTimeoutError);
    expect((err as OutboundTimeoutError).phase).toBe("connect");
  });

  it("fires the idle timeout when the body stalls", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("a,b\n");
    });
    const result = await openStream(server.url(), { allow, maxBytes: 1024, idleTimeoutMs: 300 });
    const { error, bytes } = await consume(result.body);
    expect(error).toBeInstanceOf(OutboundTimeoutError);
    expect((error as OutboundTimeoutError).phase).toBe("idle");
    expect(bytes).toBe(4);
  });

  it("fires the deadline on a body that trickles forever", async () => {
    const timers: NodeJS.Timeout[] = [];
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      timers.push(setInterval(() => res.write("x"), 50));
    });
    try {
      const started = Date.now();
      const result = await openStream(server.url(), { allow, maxBytes: 1024, idleTimeoutMs: 1_000, deadlineMs: 500 });
      const { error } = await consume(result.body);
      expect(error).toBeInstanceOf(OutboundTimeoutError);
      expect((error as OutboundTimeoutError).phase).toBe("deadline");
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it("fires the deadline while still waiting for headers", async () => {
    const server = await startServer(() => {});
    const err = await rejection(openStream(server.url(), { allow, maxBytes: 1024, deadlineMs: 200 }));
    expect(err).toBeInstanceOf(OutboundTimeoutError);
    expect((err as OutboundTimeoutError).phase).toBe("deadline");
  });

  it("stops when the caller's signal aborts mid-body", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write("a,b\n");
    });
    const controller = new AbortController();
    const result = await openStream(server.url(), { allow, maxBytes: 1024, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user cancelled")), 100);
    const { error } = await consume(result.body);
    expect((error as Error).message).toBe("user cancelled");
  });

  it("does not count a slow reader's pauses as idle time", async () => {
    const server = await startServer((_req, res) => res.end(Buffer.alloc(256 * 1024, 0x61)));
    const result = await openStream(server.url(), { allow, maxBytes: 1024 * 1024, idleTimeoutMs: 100 });
    let bytes = 0;
    for await (const chunk of result.body) {
      bytes += (chunk as Buffer).length;
      if (bytes < 64 * 1024) await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(bytes).toBe(256 * 1024);
  });
});

describe("byte caps and decoding", { timeout: 30_000 }, () => {
  const allow = parseAllowList(["127.0.0.1/32"]);
  const MiB = 1024 * 1024;
  let bomb: Buffer;

  beforeAll(async () => {
    bomb = await gzipOfZeros(200 * MiB);
  }, 30_000);

  it("refuses before reading when Content-Length is over the cap", async () => {
    const server = await startServer((_req, res) => res.end(Buffer.alloc(2 * MiB)));
    const err = await rejection(openStream(server.url(), { allow, maxBytes: MiB }));
    expect(err).toBeInstanceOf(OutboundTooLargeError);
    expect((err as Error).message).toBe(`source exceeds the ${MiB}-byte limit`);
  });

  it("stops a chunked body at the cap", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 32; i++) res.write(Buffer.alloc(64 * 1024));
      res.end();
    });
    const result = await openStream(server.url(), { allow, maxBytes: MiB });
    const { error, bytes } = await consume(result.body);
    expect(error).toBeInstanceOf(OutboundTooLargeError);
    expect(bytes).toBeLessThanOrEqual(MiB);
  });

  it("passes a body of exactly the cap", async () => {
    const server = await startServer((_req, res) => res.end(Buffer.alloc(MiB)));
    const result = await openStream(server.url(), { allow, maxBytes: MiB });
    expect((await consume(result.body)).bytes).toBe(MiB);
  });

  it.each([
    ["Content-Encoding: gzip", "/bomb", { "content-encoding": "gzip" }],
    [".gz path with gzip magic", "/bomb.csv.gz", { "content-type": "application/gzip" }],
  ])("stops a gzip bomb (%s) at the cap without inflating much more", async (_name, path, headers) => {
    let inflated = 0;
    const createGunzip = zlib.createGunzip;
    vi.spyOn(zlib, "createGunzip").mockImplementation((options) => {
      const gunzip = createGunzip(options);
      const push = gunzip.push.bind(gunzip);
      gunzip.push = (chunk: Buffer | null, encoding?: BufferEncoding) => {
        if (chunk) inflated += chunk.length;
        return push(chunk, encoding);
      };
      return gunzip;
    });
    const server = await startServer((_req, res) => {
      res.writeHead(200, headers);
      res.end(bomb);
    });
    const started = Date.now();
    const result = await openStream(server.url(path), { allow, maxBytes: MiB });
    const { error, bytes } = await consume(result.body);
    expect(error).toBeInstanceOf(OutboundTooLargeError);
    expect(bytes).toBeLessThanOrEqual(MiB);
    expect(inflated).toBeGreaterThan(MiB);
    expect(inflated).toBeLessThanOrEqual(MiB + 64 * 1024);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("decompresses a .gz file served without Content-Encoding", async () => {
    const csv = "id,name\n1,ada\n2,grace\n";
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/gzip" });
      res.end(zlib.gzipSync(csv));
    });
    const result = await openStream(server.url("/exports/people.csv.gz?sig=abc"), { allow, maxBytes: 1024 });
    expect((await consume(result.body)).text).toBe(csv);
  });

  it("passes a .gz path through when the bytes are not gzip", async () => {
    const server = await startServer(ok);
    const result = await openStream(server.url("/plain.csv.gz"), { allow, maxBytes: 1024 });
    expect((await consume(result.body)).text).toBe("a,b\n1,2\n");
  });

  it.each([
    ["gzip", zlib.gzipSync],
    ["deflate", zlib.deflateSync],
    ["deflate", zlib.deflateRawSync],
  ] as const)("decodes Content-Encoding: %s", async (encoding, encode) => {
    const csv = "x,y\n".repeat(1000);
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-encoding": encoding });
      res.end(encode(csv));
    });
    const result = await openStream(server.url(), { allow, maxBytes: 1024 * 1024 });
    expect((await consume(result.body)).text).toBe(csv);
  });

  it("refuses an encoding it cannot decode", async () => {
    const server = await startServer((_req, res) => res.writeHead(200, { "content-encoding": "br" }).end("??"));
    await expect(openStream(server.url(), { allow, maxBytes: 1024 })).rejects.toThrow(/unsupported Content-Encoding "br"/);
  });

  it("reports a corrupt gzip body as an error, not as data", async () => {
    const server = await startServer((_req, res) => res.writeHead(200, { "content-encoding": "gzip" }).end("not gzip at all"));
    const result = await openStream(server.url(), { allow, maxBytes: 1024 });
    const { error } = await consume(result.body);
    expect(error).toBeInstanceOf(OutboundError);
    expect((error as Error).message).toContain("corrupt or truncated");
  });
});

describe("incomplete bodies", { timeout: 10_000 }, () => {
  const allow = parseAllowList(["127.0.0.1/32"]);

  it("errors when the connection drops before Content-Length bytes arrive", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write(Buffer.alloc(100, 0x61), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const result = await openStream(server.url(), { allow, maxBytes: 4096 });
    const { error, bytes } = await consume(result.body);
    expect(error).toBeInstanceOf(OutboundIncompleteError);
    expect(error).toMatchObject({ received: 100, expected: 1000 });
    expect(bytes).toBe(100);
  });

  it("errors when a chunked body is cut before its last chunk", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write("a,b\n1,2\n", () => setTimeout(() => (res.socket as Socket | null)?.destroy(), 20));
    });
    const result = await openStream(server.url(), { allow, maxBytes: 4096 });
    const { error } = await consume(result.body);
    expect(error).toBeInstanceOf(OutboundIncompleteError);
  });
});

describe("non-2xx answers", { timeout: 10_000 }, () => {
  const allow = parseAllowList(["127.0.0.1/32"]);

  it("throws OutboundHttpError with the status and the start of the body", async () => {
    const server = await startServer((_req, res) => res.writeHead(404, { "x-reason": "gone" }).end("No such\nfile"));
    const err = await rejection(openStream(server.url("/private/path?token=s3cret"), { allow, maxBytes: 1024 }));
    expect(err).toBeInstanceOf(OutboundHttpError);
    expect(err).toMatchObject({ statusCode: 404, bodyExcerpt: "No such file" });
    expect((err as OutboundHttpError).headers["x-reason"]).toBe("gone");
    expect((err as Error).message).not.toContain("s3cret");
    expect((err as Error).message).not.toContain("/private");
  });

  it("keeps the excerpt to 500 characters", async () => {
    const server = await startServer((_req, res) => res.writeHead(500).end("e".repeat(100_000)));
    const err = (await rejection(openStream(server.url(), { allow, maxBytes: 1024 }))) as OutboundHttpError;
    expect(err.statusCode).toBe(500);
    expect(err.bodyExcerpt.length).toBeLessThanOrEqual(500);
  });
});

describe("request", { timeout: 10_000 }, () => {
  const allow = parseAllowList(["127.0.0.1/32"]);

  it("returns status, headers and text whatever the status", async () => {
    let received = "";
    const server = await startServer((req, res) => {
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (received += chunk));
      req.on("end", () => res.writeHead(429, { "retry-after": "7", "content-type": "text/plain" }).end("rate_limited"));
    });
    const payload = JSON.stringify({ text: "hello" });
    const response = await request(server.url("/services/T/B/X"), {
      method: "POST",
      body: payload,
      headers: { "content-type": "application/json" },
      allow,
    });
    expect(response).toMatchObject({ status: 429, text: "rate_limited" });
    expect(response.headers["retry-after"]).toBe("7");
    expect(received).toBe(payload);
    expect(server.requests[0].headers["content-length"]).toBe(String(payload.length));
  });

  it("does not follow redirects", async () => {
    const target = await startServer(ok);
    const source = await startServer((_req, res) => res.writeHead(302, { location: target.url() }).end());
    const response = await request(source.url(), { method: "POST", body: "{}", allow });
    expect(response.status).toBe(302);
    await settle();
    expect(target.connections).toBe(0);
  });

  it("applies the same address policy", async () => {
    const server = await startServer(ok);
    await expect(request(server.url(), { method: "POST", body: "{}", allow: EMPTY_ALLOW_LIST })).rejects.toBeInstanceOf(
      OutboundBlockedError,
    );
    await settle();
    expect(server.connections).toBe(0);
  });

  it("caps the response body", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.end("x".repeat(5000));
    });
    await expect(request(server.url(), { method: "POST", body: "{}", allow, maxBytes: 1000 })).rejects.toBeInstanceOf(
      OutboundTooLargeError,
    );
  });
});
