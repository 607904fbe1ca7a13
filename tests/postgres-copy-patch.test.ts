import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * patches/postgres+3.4.9.patch (applied by npm's postinstall through patch-package) makes
 * postgres.js send a COPY chunk behind its 5-byte header in one corked write, where 3.4.9 copied
 * every chunk into a new Buffer first. This checks that the installed postgres.js carries the
 * patch (an install that skipped it would copy again) and that COPY still delivers every byte.
 * (A COPY the server refuses is covered through the real load path: tests/ingest-fast-path.test.ts.)
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
