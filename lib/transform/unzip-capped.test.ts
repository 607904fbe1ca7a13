import { strFromU8, strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { UserError } from "@/lib/errors";
import { unzipCapped } from "@/lib/transform/unzip-capped";
import { zipBomb } from "@/tests/helpers/zip-bomb";

const MiB = 1024 * 1024;
const limits = { maxFileBytes: 8 * MiB, maxTotalBytes: 20 * MiB, maxEntries: 100 };
const all = () => true;

function refusal(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error("expected a UserError");
}

function texts(files: Map<string, Uint8Array>): Record<string, string> {
  return Object.fromEntries([...files].map(([k, v]) => [k, strFromU8(v)]));
}

describe("unzipCapped", () => {
  it("refuses a 200 KB zip that inflates to 200 MiB without the process growing past a few MiB", () => {
    const bomb = zipBomb("models/bomb.sql", 200 * MiB, { "models/ok.sql": "select 1" });
    expect(bomb.byteLength).toBeLessThan(400 * 1024);
    globalThis.gc?.();
    const before = process.memoryUsage();
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const err = refusal(() => unzipCapped(bomb, all, limits));
    const after = process.memoryUsage();
    const peakAfter = process.resourceUsage().maxRSS * 1024;

    expect(err.status).toBe(413);
    expect(err.message).toMatch(/too large once unpacked: models\/bomb\.sql is more than 8 MiB/);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(64 * MiB);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * MiB);
    // The peak resident size is monotonic, so this catches growth that was freed before `after`.
    expect(peakAfter - peakBefore).toBeLessThan(64 * MiB);
  }, 60_000); // making the bomb takes a few seconds of deflate on a busy machine

  it("counts every wanted file against the total", () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 6; i++) files[`models/m${i}.sql`] = new Uint8Array(4 * MiB).fill(32);
    const err = refusal(() => unzipCapped(zipSync(files, { level: 1 }), all, limits));
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/its files are more than 20 MiB/);
  });

  it("never inflates entries it does not want, so a bomb there costs nothing", () => {
    const zip = zipBomb("target/manifest.json", 32 * MiB, { "models/a.sql": "select 1", "models/schema.yml": "version: 2\n" });
    const files = unzipCapped(zip, (p) => p.startsWith("models/"), limits);
    expect(texts(files)).toEqual({ "models/a.sql": "select 1", "models/schema.yml": "version: 2\n" });
  });

  it("reads ordinary archives, with and without data descriptors", () => {
    const plain = zipSync({ "models/a.sql": strToU8("select 1"), "tests/a__t.sql": strToU8("select 2"), "README.md": strToU8("x") });
    expect(texts(unzipCapped(plain, (p) => p.endsWith(".sql"), limits))).toEqual({
      "models/a.sql": "select 1",
      "tests/a__t.sql": "select 2",
    });
    const streamed = zipBomb("models/empty.sql", 0, { "models/b.sql": "select 'b'" });
    expect(texts(unzipCapped(streamed, all, limits))).toEqual({ "models/b.sql": "select 'b'", "models/empty.sql": "" });
  });

  it("refuses what is not a zip, a truncated zip and too many entries", () => {
    expect(refusal(() => unzipCapped(strToU8("not a zip at all"), all, limits))).toMatchObject({
      status: 400,
      message: "This is not a readable zip file",
    });
    const zip = zipSync({ "models/a.sql": strToU8("select 1 ".repeat(1000)) });
    const cut = new Uint8Array([...zip.subarray(0, 60), ...zip.subarray(zip.byteLength - 22)]);
    expect(refusal(() => unzipCapped(cut, all, limits)).status).toBe(400);
    const many = zipSync(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}.txt`, strToU8("")])));
    expect(refusal(() => unzipCapped(many, () => false, limits))).toMatchObject({
      status: 413,
      message: "The zip has more than 100 files",
    });
  });
});
