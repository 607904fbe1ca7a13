import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalStore } from "@/lib/storage/local";
import { InvalidObjectKeyError, assertValidKey, assertValidPrefix, compareKeys } from "@/lib/storage/types";

describe("assertValidKey", () => {
  it.each([
    "datasets/6f1c0a4e-2b7f-4d0e-9d55-0c1f3e0b9a11/v3/source.csv",
    "a",
    "with space/and-ünïcode.csv",
    "dots.in.name/..hidden/x..y",
    "x".repeat(1024),
  ])("accepts %j", (key) => {
    expect(() => assertValidKey(key)).not.toThrow();
  });

  it.each([
    ["", "empty"],
    ["/etc/passwd", "start with"],
    ["a/../../etc/passwd", '".."'],
    ["..", '".."'],
    ["a\\b", "\\"],
    ["a\u0000b", "control"],
    ["a\nb", "control"],
    ["a//b", "empty segments"],
    ["a/", "empty segments"],
    ["./a", '"."'],
    ["x".repeat(1025), "1024 bytes"],
    ["€".repeat(342), "1024 bytes"], // 1,026 bytes
  ])("rejects %j", (key, reason) => {
    expect(() => assertValidKey(key)).toThrow(InvalidObjectKeyError);
    expect(() => assertValidKey(key)).toThrow(reason);
  });
});

describe("assertValidPrefix", () => {
  it.each(["", "datasets/", "datasets/abc", "a/b/"])("accepts %j", (prefix) => {
    expect(() => assertValidPrefix(prefix)).not.toThrow();
  });

  it.each(["/", "/a", "a/../", "a//", "..", "a\\"])("rejects %j", (prefix) => {
    expect(() => assertValidPrefix(prefix)).toThrow(InvalidObjectKeyError);
  });
});

describe("compareKeys", () => {
  it("orders by UTF-8 bytes, as S3 lists", () => {
    // JS's default sort uses UTF-16 code units, where U+1F600 (a surrogate pair) sorts before
    // U+FF5E; in UTF-8 bytes, as S3 and this helper sort, it comes after.
    const keys = ["b", "\u{1F600}", "\uFF5E", "a", "B"];
    expect([...keys].sort(compareKeys)).toEqual(["B", "a", "b", "\uFF5E", "\u{1F600}"]);
  });
});

describe("createLocalStore", () => {
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "relayboard-local-store-"));
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it("writes objects as plain files under the root", async () => {
    const store = createLocalStore(root);
    await store.put("datasets/x/v1/source.csv", Readable.from([Buffer.from("a,b\n")]));
    expect(await fs.readFile(path.join(root, "datasets", "x", "v1", "source.csv"), "utf8")).toBe("a,b\n");
  });

  it("reserves the .tmp folder for its own temp files", async () => {
    const store = createLocalStore(root);
    await expect(store.put(".tmp/x", Readable.from([Buffer.from("x")]))).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(store.head(".tmp")).rejects.toBeInstanceOf(InvalidObjectKeyError);
    // ".tmpfoo" is an ordinary key.
    await store.put(".tmpfoo", Readable.from([Buffer.from("x")]));
    expect((await store.list("")).map((o) => o.key)).toEqual([".tmpfoo"]);
  });

  it("never lists temp files of puts in progress", async () => {
    const store = createLocalStore(root);
    await fs.mkdir(path.join(root, ".tmp"), { recursive: true });
    await fs.writeFile(path.join(root, ".tmp", "in-flight.part"), "partial");
    await store.put("real.csv", Readable.from([Buffer.from("x")]));
    expect((await store.list("")).map((o) => o.key)).toEqual(["real.csv"]);
  });

  it("removes its temp file when the body fails", async () => {
    const store = createLocalStore(root);
    const body = Readable.from(
      (async function* () {
        yield Buffer.from("partial");
        throw new Error("boom");
      })(),
    );
    await expect(store.put("x.csv", body)).rejects.toThrow("boom");
    expect(await fs.readdir(path.join(root, ".tmp"))).toEqual([]);
  });

  it("treats a directory of other keys as no object", async () => {
    const store = createLocalStore(root);
    await store.put("dir/child.csv", Readable.from([Buffer.from("x")]));
    expect(await store.head("dir")).toBeNull();
    await expect(store.get("dir")).rejects.toMatchObject({ name: "ObjectNotFoundError" });
    await expect(store.delete("dir")).resolves.toBeUndefined();
    expect(await store.head("dir/child.csv")).toMatchObject({ size: 1 });
  });

  it("check() reports a root that cannot be a directory, briefly", async () => {
    const file = path.join(root, "not-a-dir");
    await fs.writeFile(file, "");
    await expect(createLocalStore(file).check()).rejects.toThrow(/^storage directory not writable: [a-z -]+$/);
  });

  it("check() creates a missing root", async () => {
    const store = createLocalStore(path.join(root, "nested", "objects"));
    await expect(store.check()).resolves.toBeUndefined();
    expect(await fs.readdir(path.join(root, "nested", "objects", ".tmp"))).toEqual([]);
  });
});
