import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { createApiToken } from "@/lib/api/tokens";
import { getObjectStore } from "@/lib/storage";

/**
 * Issue #18 (6): a file the server refuses on upload leaves nothing behind: no dataset (failed or
 * otherwise), no version, no stored object. Through the real POST /v1/datasets/csv handler.
 */
type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

let token: string;

beforeAll(async () => {
  resetEnvForTests();
  const admin = await createUser({ email: "refusals-admin@example.com", password: "long enough pw", role: "admin" });
  token = (await createApiToken(admin, { name: "refusals", role: "editor" })).token;
});

afterAll(async () => {
  await closeDb();
});

async function route(path: "csv" | "list"): Promise<Record<string, Handler>> {
  const mod = path === "csv" ? await import("@/app/v1/datasets/csv/route") : await import("@/app/v1/datasets/route");
  return mod as unknown as Record<string, Handler>;
}

async function upload(bytes: Uint8Array, name: string, nameAfterFile = false) {
  const fd = new FormData();
  if (!nameAfterFile) fd.append("name", name);
  fd.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "text/csv" }), `${name}.csv`);
  if (nameAfterFile) fd.append("name", name);
  const res = await (
    await route("csv")
  ).POST!(
    new Request("http://127.0.0.1:3000/v1/datasets/csv", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: fd }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, json: await res.json() };
}

async function listedNames(): Promise<string[]> {
  const res = await (
    await route("list")
  ).GET!(new Request("http://127.0.0.1:3000/v1/datasets", { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({}),
  });
  expect(res.status).toBe(200);
  return ((await res.json()).datasets as { name: string }[]).map((d) => d.name);
}

/** Refused, and nothing of it anywhere: the list, the tables, object storage. */
async function expectRefusedWithoutTrace(bytes: Uint8Array, name: string, status: number, message: string | RegExp, nameAfterFile = false) {
  const objectsBefore = (await getObjectStore().list("datasets/")).length;
  const res = await upload(bytes, name, nameAfterFile);
  expect(res.status).toBe(status);
  expect(res.json.error.message).toMatch(message);
  expect(await listedNames()).not.toContain(name);
  const rows = await getSql()`select id from relayboard.datasets where name = ${name}`;
  expect(rows).toHaveLength(0);
  expect((await getObjectStore().list("datasets/")).length).toBe(objectsBefore);
  return res;
}

const NUL_MESSAGE = "This file looks binary (it contains NUL bytes), not CSV.";
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256, 7)]);

describe("uploads the server refuses leave no dataset behind", () => {
  it("a binary file: 422 with the message, under the file field, and no failed dataset", async () => {
    const res = await expectRefusedWithoutTrace(Buffer.from("id,v\n1,a\0b\n2,c\n"), "refused_nul", 422, NUL_MESSAGE);
    expect(res.json.error.details).toEqual([{ path: "file", message: NUL_MESSAGE }]);
    await expectRefusedWithoutTrace(png, "refused_png", 422, "This file looks binary (PNG image), not CSV.", true);
  });

  it("a big binary file (more than the sniffed head) and a gzipped one", async () => {
    const big = Buffer.concat([Buffer.from("a,b\n"), Buffer.alloc(3 * 1024 * 1024, 0)]);
    await expectRefusedWithoutTrace(big, "refused_big_nul", 422, /^This file looks binary \(it contains NUL bytes/);
    await expectRefusedWithoutTrace(zlib.gzipSync(png), "refused_gz_png", 422, /PNG image/);
  });

  it("a web page instead of a CSV", async () => {
    await expectRefusedWithoutTrace(Buffer.from("<!doctype html><html><body>Sign in</body></html>"), "refused_html", 422, /web page/);
  });

  it("an empty file, and a gzip that inflates to nothing", async () => {
    await expectRefusedWithoutTrace(new Uint8Array(0), "refused_empty", 422, /empty/);
    await expectRefusedWithoutTrace(zlib.gzipSync(Buffer.alloc(0)), "refused_gz_empty", 422, /empty/);
  });

  it("a file over MAX_SOURCE_BYTES", async () => {
    process.env.MAX_SOURCE_BYTES = "1024";
    resetEnvForTests();
    try {
      await expectRefusedWithoutTrace(Buffer.alloc(4096, "a"), "refused_too_big", 413, /./);
    } finally {
      delete process.env.MAX_SOURCE_BYTES;
      resetEnvForTests();
    }
  });

  it("still accepts what it accepted: text, UTF-16 without a BOM, and a file that fails later (ragged rows)", async () => {
    for (const [name, bytes] of [
      ["accepted_text", Buffer.from("a,b\n1,2\n")],
      ["accepted_utf16", Buffer.from("a\tb\n1\t2\n3\t4\n", "utf16le")],
      ["accepted_ragged", Buffer.from("a,b\n1,2,3\n")],
    ] as const) {
      const res = await upload(bytes, name);
      expect(res.status, name).toBe(201);
      expect(await listedNames()).toContain(name);
    }
  });
});
