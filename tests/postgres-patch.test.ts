import net from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * patches/postgres+3.4.9.patch (applied by npm's postinstall through patch-package) changes two
 * things in postgres.js, both checked here against the installed copy (an install that skipped
 * the patch fails):
 *  - a COPY chunk goes out behind its 5-byte header in one corked write, where 3.4.9 copied every
 *    chunk into a new Buffer first; COPY still delivers every byte. (A COPY the server refuses is
 *    covered through the real load path: tests/ingest-fast-path.test.ts.)
 *  - a new connection's array-type fetch that fails (the server going away mid-handshake) no
 *    longer escapes as an unhandled rejection, which the worker would only log and which
 *    takes down a process that exits on them (upstream porsager/postgres#1192).
 */
let sql: postgres.Sql;

beforeAll(() => {
  sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

/** Counts the bytes Buffer.concat is asked to produce while `body` runs. */
async function bytesConcatenatedDuring(body: () => Promise<void>): Promise<number> {
  const original = Buffer.concat;
  let bytes = 0;
  Buffer.concat = ((list: readonly Uint8Array[], totalLength?: number) => {
    const out = original(list, totalLength);
    bytes += out.length;
    return out;
  }) as typeof Buffer.concat;
  try {
    await body();
  } finally {
    Buffer.concat = original;
  }
  return bytes;
}

describe("postgres.js COPY writes (patched)", () => {
  it("streams 8 MiB pieces into COPY without copying them, and every row arrives", async () => {
    const conn = await sql.reserve();
    try {
      await conn.unsafe("create temporary table copy_patch (n bigint, label text)");
      const rowsPerPiece = 400_000;
      const pieces = 3;
      // Each piece ≈ 8 MiB of "n,label-n\n" lines.
      const piece = (p: number) => {
        const lines: string[] = [];
        for (let i = 0; i < rowsPerPiece; i++) {
          const n = p * rowsPerPiece + i;
          lines.push(`${n},label-${n}-${"x".repeat(8)}\n`);
        }
        return Buffer.from(lines.join(""));
      };
      const data = Array.from({ length: pieces }, (_, p) => piece(p));
      const total = data.reduce((sum, b) => sum + b.length, 0);
      expect(total).toBeGreaterThan(20 * 1024 * 1024);

      const concatenated = await bytesConcatenatedDuring(async () => {
        const stream = await conn.unsafe("copy copy_patch (n, label) from stdin (format csv)").writable();
        await new Promise<void>((resolve, reject) => {
          stream.on("error", reject);
          stream.on("finish", () => resolve());
          for (const b of data) stream.write(b);
          stream.end();
        });
      });
      // Unpatched, postgres.js concatenates each piece behind its header: ≈ the whole input.
      expect(concatenated).toBeLessThan(total / 100);

      const [row] = await conn.unsafe<{ count: string; sum: string; last: string }[]>(
        "select count(*)::text as count, sum(n)::text as sum, max(label) filter (where n = $1) as last from copy_patch",
        [pieces * rowsPerPiece - 1],
      );
      const count = pieces * rowsPerPiece;
      expect(row).toEqual({ count: String(count), sum: String((count * (count - 1)) / 2), last: `label-${count - 1}-xxxxxxxx` });
    } finally {
      conn.release();
    }
  });
});

/**
 * A TCP relay to the test database that cuts both sockets (a reset) when the client sends
 * postgres.js's array-type query, while `cutting` is on: the server going away at that moment.
 */
async function startCuttingRelay(target: URL): Promise<{ port: number; cutting: { on: boolean }; close: () => Promise<void> }> {
  const cutting = { on: true };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.on("data", (data: Buffer) => {
      if (cutting.on && data.includes("pg_catalog.pg_type")) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(data);
    });
    upstream.on("data", (data: Buffer) => client.write(data));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cutting,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("postgres.js array-type fetch (patched)", () => {
  it("a connection cut during its type fetch fails its query, never as an unhandled rejection, and the next one works", async () => {
    const target = new URL(process.env.DATABASE_URL!);
    const relay = await startCuttingRelay(target);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const viaRelay = new URL(target);
    viaRelay.hostname = "127.0.0.1";
    viaRelay.port = String(relay.port);
    const client = postgres(viaRelay.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
    try {
      await expect(client`select 1 as one`).rejects.toThrow();
      // Unhandled rejections are reported after the microtask queue drains: give them a turn.
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);

      relay.cutting.on = false;
      expect(await client`select 1 as one`).toEqual([{ one: 1 }]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await client.end({ timeout: 2 });
      await relay.close();
    }
  });
});
