import crypto from "node:crypto";
import fs from "node:fs/promises";
import type { IncomingMessage, Server } from "node:http";
import net, { type AddressInfo } from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStore } from "@/lib/storage/local";
import { S3StoreError, createS3Store } from "@/lib/storage/s3";
import { InvalidObjectKeyError, ObjectNotFoundError, type ObjectStore } from "@/lib/storage/types";

// s3rver ships no type declarations; this is the slice of its API the suite uses.
type S3rverOptions = {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
};
type S3rverServer = { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer: Server };
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: S3rverOptions) => S3rverServer;

const MiB = 1024 * 1024;
const BUCKET = "relayboard-test";

function sha256(data: Buffer | string): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Deterministic chunks, each different, so reordered or dropped parts change the digest. */
function* generatedChunks(totalBytes: number, chunkSize = 64 * 1024): Generator<Buffer> {
  for (let offset = 0, i = 0; offset < totalBytes; offset += chunkSize, i++) {
    const chunk = Buffer.alloc(Math.min(chunkSize, totalBytes - offset), i % 251);
    chunk.writeUInt32BE(i, 0);
    yield chunk;
  }
}

function digestOfGenerated(totalBytes: number): string {
  const hash = crypto.createHash("sha256");
  for (const chunk of generatedChunks(totalBytes)) hash.update(chunk);
  return hash.digest("hex");
}

/** A body that delivers `bytesBeforeError` bytes and then fails, as a dropped download would. */
function failingBody(bytesBeforeError: number): Readable {
  return Readable.from(
    (async function* () {
      yield* generatedChunks(bytesBeforeError);
      throw new Error("source connection reset");
    })(),
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256OfStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

/** A port that nothing listens on: bind one, then release it. */
async function closedLocalPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const INVALID_KEYS = [
  "",
  "/leading/slash.csv",
  "a/../b.csv",
  "..",
  "a/..",
  "back\\slash.csv",
  "nul\u0000byte.csv",
  "a//b.csv",
  "a/./b.csv",
  "trailing/",
  "x".repeat(1025),
  "é".repeat(513), // 1,026 bytes in UTF-8 although only 513 characters
];

export function defineStoreContract(name: string, makeStore: () => ObjectStore | Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;

    beforeAll(async () => {
      store = await makeStore();
    });

    it("check() resolves when storage is usable", async () => {
      await expect(store.check()).resolves.toBeUndefined();
    });

    it("round-trips a small object with its sha256 and size", async () => {
      const body = "id,name\n1,Ada\n2,Grace\n";
      const key = `datasets/${crypto.randomUUID()}/v1/source.csv`;
      const result = await store.put(key, Readable.from([Buffer.from(body)]), { contentType: "text/csv" });
      expect(result).toEqual({ key, size: Buffer.byteLength(body), sha256: sha256(body) });
      expect((await readAll(await store.get(key))).toString("utf8")).toBe(body);
    });

    it("stores an empty object", async () => {
      const key = "empty/zero-bytes.csv";
      const result = await store.put(key, Readable.from([]));
      expect(result).toEqual({ key, size: 0, sha256: sha256("") });
      expect(await store.head(key)).toMatchObject({ key, size: 0 });
      expect((await readAll(await store.get(key))).length).toBe(0);
    });

    it("streams a multi-MiB body and reports the right sha256", async () => {
      // 20 MiB and a bit: three 8 MiB parts on S3, the last one short.
      const total = 20 * MiB + 12_345;
      const key = `datasets/${crypto.randomUUID()}/v1/big.csv`;
      const result = await store.put(key, Readable.from(generatedChunks(total)));
      const expected = digestOfGenerated(total);
      expect(result).toEqual({ key, size: total, sha256: expected });
      expect(await sha256OfStream(await store.get(key))).toEqual({ sha256: expected, size: total });
      expect((await store.head(key))?.size).toBe(total);
    });

    it("overwrites an existing key", async () => {
      const key = "overwrite/me.txt";
      await store.put(key, Readable.from([Buffer.from("first")]));
      await store.put(key, Readable.from([Buffer.from("second!")]));
      expect((await readAll(await store.get(key))).toString()).toBe("second!");
      expect((await store.head(key))?.size).toBe(7);
    });

    it("rejects get of a missing key with ObjectNotFoundError", async () => {
      await expect(store.get("missing/nothing-here.csv")).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it("head returns size and metadata, or null when missing", async () => {
      const key = "head/file.csv";
      await store.put(key, Readable.from([Buffer.from("abc")]), { contentType: "text/csv" });
      const info = await store.head(key);
      expect(info).toMatchObject({ key, size: 3 });
      expect(info?.lastModified).toBeInstanceOf(Date);
      // The local driver keeps no content type; a driver that does must return what was given.
      if (info?.contentType !== undefined) expect(info.contentType).toBe("text/csv");
      expect(await store.head("head/absent.csv")).toBeNull();
      // A "directory" of other keys is not an object.
      expect(await store.head("head")).toBeNull();
    });

    it("lists keys under a prefix, sorted", async () => {
      const keys = ["ls/b/1.csv", "ls/a/2.csv", "ls/ab.csv", "ls/a/1.csv", "lsx/other.csv"];
      for (const key of keys) await store.put(key, Readable.from([Buffer.from(key)]));

      const under = async (prefix: string) => (await store.list(prefix)).map((o) => o.key);
      expect(await under("ls/a/")).toEqual(["ls/a/1.csv", "ls/a/2.csv"]);
      // A prefix is a plain string prefix, not a directory: "ls/a" also matches "ls/ab.csv".
      expect(await under("ls/a")).toEqual(["ls/a/1.csv", "ls/a/2.csv", "ls/ab.csv"]);
      expect(await under("ls/")).toEqual(["ls/a/1.csv", "ls/a/2.csv", "ls/ab.csv", "ls/b/1.csv"]);
      expect(await under("nope/")).toEqual([]);

      const [first] = await store.list("ls/a/1");
      expect(first).toMatchObject({ key: "ls/a/1.csv", size: "ls/a/1.csv".length });
      expect(first.lastModified).toBeInstanceOf(Date);
    });

    it("delete removes the object and is idempotent", async () => {
      const key = "delete/me.csv";
      await store.put(key, Readable.from([Buffer.from("x")]));
      await store.delete(key);
      expect(await store.head(key)).toBeNull();
      await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.delete(key)).resolves.toBeUndefined();
      await expect(store.delete("delete/never-existed.csv")).resolves.toBeUndefined();
      expect(await store.list("delete/")).toEqual([]);
    });

    it("a body that errors mid-way rejects and leaves no object", async () => {
      const key = "failing/new.csv";
      // 12 MiB before the failure: on S3 one part is already uploaded and must be abandoned.
      await expect(store.put(key, failingBody(12 * MiB))).rejects.toThrow("source connection reset");
      expect(await store.head(key)).toBeNull();
      expect(await store.list("failing/")).toEqual([]);
    });

    it("a failed overwrite keeps the previous object intact", async () => {
      const key = "failing/existing.csv";
      const original = await store.put(key, Readable.from([Buffer.from("the good version")]));
      await expect(store.put(key, failingBody(1 * MiB))).rejects.toThrow("source connection reset");
      expect(await sha256OfStream(await store.get(key))).toEqual({ sha256: original.sha256, size: original.size });
    });

    it("an aborted put rejects with AbortError and leaves no object", async () => {
      const key = "aborted/slow.csv";
      const controller = new AbortController();
      const slowBody = Readable.from(
        (async function* () {
          for (const chunk of generatedChunks(64 * MiB, 1 * MiB)) {
            yield chunk;
            await sleep(20);
          }
        })(),
      );
      const putting = store.put(key, slowBody, { signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      await expect(putting).rejects.toMatchObject({ name: "AbortError" });
      expect(await store.head(key)).toBeNull();
    });

    it("rejects invalid keys in every operation", async () => {
      for (const key of INVALID_KEYS) {
        await expect(store.put(key, Readable.from([Buffer.from("x")])), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.head(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.delete(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
      await expect(store.list("/abs")).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(store.list("a/../")).rejects.toBeInstanceOf(InvalidObjectKeyError);
    });

    it("accepts a key of exactly 1,024 bytes", async () => {
      // Segments stay under the usual 255-byte file name limit so the local driver can hold it.
      const key = ["a", "b", "c", "d"].map((c) => c.repeat(250)).join("/") + "/" + "e".repeat(20);
      expect(Buffer.byteLength(key)).toBe(1024);
      await store.put(key, Readable.from([Buffer.from("long")]));
      expect(await store.head(key)).toMatchObject({ key, size: 4 });
    });
  });
}

describe("local driver", () => {
  let root: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "relayboard-storage-local-"));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  defineStoreContract("local", () => createLocalStore(root));

  it("leaves no temp files behind after failed puts", async () => {
    const entries = await fs.readdir(path.join(root, ".tmp")).catch(() => []);
    expect(entries).toEqual([]);
  });
});

describe("s3 driver against s3rver", () => {
  let dir: string;
  let server: S3rverServer;
  let endpoint: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "relayboard-storage-s3rver-"));
    server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: BUCKET }],
    });
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const s3Config = (overrides: { bucket?: string; endpoint?: string } = {}) => ({
    endpoint: overrides.endpoint ?? endpoint,
    bucket: overrides.bucket ?? BUCKET,
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  });

  defineStoreContract("s3", () => createS3Store(s3Config()));

  it("check() on a missing bucket throws a short reason", async () => {
    const store = createS3Store(s3Config({ bucket: "no-such-bucket" }));
    const err = await store.check().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe("bucket not found");
    expect(err?.message).not.toContain("S3RVER");
  });

  it("check() on an endpoint nobody listens on reports it unreachable", async () => {
    const store = createS3Store(s3Config({ endpoint: `http://127.0.0.1:${await closedLocalPort()}` }));
    await expect(store.check()).rejects.toThrow(/^unreachable/);
  });

  it("errors from S3 carry no credentials", async () => {
    // s3rver answers an unknown key id with InvalidAccessKeyId, whose body echoes the key id; the
    // SDK copies that onto its error, so none of it may reach the error a logger would serialize.
    // (s3rver does not verify SigV4 signatures, so a wrong secret alone would go unnoticed.)
    const store = createS3Store({ ...s3Config(), accessKeyId: "AKIDWRONGKEY0001", secretAccessKey: "wrong-secret" });
    const err = await store.list("any/").then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(S3StoreError);
    expect(err).toMatchObject({ code: "InvalidAccessKeyId", status: 403 });
    const serialized = JSON.stringify({ ...err, message: err?.message, stack: err?.stack });
    expect(serialized).not.toContain("AKIDWRONGKEY0001");
    expect(serialized).not.toContain("wrong-secret");
  });

  it("a failed multipart put sends AbortMultipartUpload", async () => {
    // s3rver itself answers that request with MethodNotAllowed and keeps the parts, so the
    // request is what can be checked here; real S3 discards the parts on receiving it.
    const aborts: string[] = [];
    const onRequest = (req: IncomingMessage) => {
      if (req.method === "DELETE" && req.url?.includes("uploadId=")) aborts.push(req.url);
    };
    server.httpServer.on("request", onRequest);
    try {
      const store = createS3Store(s3Config());
      await expect(store.put("failing/parts.csv", failingBody(17 * MiB))).rejects.toThrow("source connection reset");
      expect(aborts).toHaveLength(1);
      expect(aborts[0]).toContain("/failing/parts.csv?");
      expect(await store.head("failing/parts.csv")).toBeNull();
    } finally {
      server.httpServer.off("request", onRequest);
    }
  });
});
