import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  InvalidObjectKeyError,
  ObjectNotFoundError,
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  createDigestStream,
  toReadable,
  type ObjectInfo,
  type ObjectStore,
  type PutResult,
} from "@/lib/storage/types";

// Temp files live inside rootDir so that rename() stays on one filesystem and is atomic.
const TMP_DIR = ".tmp";

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

// ENOTDIR: a parent segment of the key is a file; EISDIR: the key names a directory. Neither is
// an object, so both read as "missing".
const MISSING_CODES = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

/**
 * Objects are plain files at rootDir/<key>. Content type is not kept: a sidecar file would add a
 * second write that cannot be made atomic with the first, and readers here sniff CSV anyway.
 */
export function createLocalStore(rootDir: string): ObjectStore {
  const root = path.resolve(rootDir);
  const tmpDir = path.join(root, TMP_DIR);

  function filePath(key: string): string {
    assertValidKey(key);
    if (key === TMP_DIR || key.startsWith(`${TMP_DIR}/`)) {
      throw new InvalidObjectKeyError(`object key prefix "${TMP_DIR}/" is reserved by the local store`);
    }
    const resolved = path.join(root, ...key.split("/"));
    // assertValidKey already rules out escapes; this guards against a future change to it.
    if (!resolved.startsWith(root + path.sep)) throw new InvalidObjectKeyError("object key escapes the store");
    return resolved;
  }

  async function put(
    key: string,
    body: NodeJS.ReadableStream | Readable,
    opts: { contentType?: string; signal?: AbortSignal } = {},
  ): Promise<PutResult> {
    const target = filePath(key);
    const source = toReadable(body);
    const digest = createDigestStream();
    const tmpPath = path.join(tmpDir, `${crypto.randomUUID()}.part`);
    try {
      await fsp.mkdir(tmpDir, { recursive: true });
      await pipeline(source, digest.stream, fs.createWriteStream(tmpPath, { flags: "wx" }), {
        signal: opts.signal,
      });
      // Durable before visible: once the caller records the sha256, the bytes must survive a
      // crash. fsync acts on the file, not the descriptor, so a fresh handle is enough.
      const file = await fsp.open(tmpPath, "r+");
      try {
        await file.sync();
      } finally {
        await file.close();
      }
      await fsp.mkdir(path.dirname(target), { recursive: true });
      opts.signal?.throwIfAborted();
      await fsp.rename(tmpPath, target);
    } catch (err) {
      source.destroy();
      await fsp.rm(tmpPath, { force: true }).catch(() => {});
      throw err;
    }
    return { key, ...digest.result() };
  }

  async function get(key: string): Promise<Readable> {
    const p = filePath(key);
    let file: fsp.FileHandle;
    try {
      file = await fsp.open(p, "r");
    } catch (err) {
      if (MISSING_CODES.has(errnoCode(err) ?? "")) throw new ObjectNotFoundError(key);
      throw err;
    }
    // Reading through the open handle means a concurrent delete or overwrite cannot cut the
    // stream short; on Linux open() succeeds on directories, hence the isFile check.
    const stat = await file.stat().catch(async (err: unknown) => {
      await file.close();
      throw err;
    });
    if (!stat.isFile()) {
      await file.close();
      throw new ObjectNotFoundError(key);
    }
    // 1 MiB reads: the readers are loads, where each chunk costs a scan call and a COPY message.
    return file.createReadStream({ highWaterMark: 1024 * 1024 });
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    const p = filePath(key);
    try {
      const stat = await fsp.stat(p);
      return stat.isFile() ? { key, size: stat.size, lastModified: stat.mtime } : null;
    } catch (err) {
      if (MISSING_CODES.has(errnoCode(err) ?? "")) return null;
      throw err;
    }
  }

  async function remove(key: string): Promise<void> {
    const p = filePath(key);
    try {
      await fsp.unlink(p);
    } catch (err) {
      // EPERM is what macOS reports for unlink() on a directory.
      const code = errnoCode(err) ?? "";
      if (MISSING_CODES.has(code) || (code === "EPERM" && (await isDirectory(p)))) return;
      throw err;
    }
    // Empty parent directories are left in place: removing them would race a concurrent put
    // that has just created the same directory and is about to rename into it.
  }

  async function list(prefix: string): Promise<ObjectInfo[]> {
    assertValidPrefix(prefix);
    const out: ObjectInfo[] = [];
    // Start at the deepest directory the prefix fully names, instead of walking the whole store.
    const startKeyDir = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    await walk(path.join(root, ...startKeyDir.split("/").filter(Boolean)), startKeyDir, prefix, out);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async function walk(dir: string, keyDir: string, prefix: string, out: ObjectInfo[]): Promise<void> {
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (MISSING_CODES.has(errnoCode(err) ?? "")) return;
      throw err;
    }
    for (const entry of entries) {
      const key = keyDir + entry.name;
      if (keyDir === "" && entry.name === TMP_DIR) continue;
      if (entry.isDirectory()) {
        const childDir = `${key}/`;
        if (childDir.startsWith(prefix) || prefix.startsWith(childDir)) {
          await walk(path.join(dir, entry.name), childDir, prefix, out);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        try {
          const stat = await fsp.stat(path.join(dir, entry.name));
          out.push({ key, size: stat.size, lastModified: stat.mtime });
        } catch (err) {
          // Deleted between readdir and stat: it is simply not part of the listing.
          if (errnoCode(err) !== "ENOENT") throw err;
        }
      }
    }
  }

  async function check(): Promise<void> {
    const probe = path.join(tmpDir, `probe-${crypto.randomUUID()}`);
    try {
      await fsp.mkdir(tmpDir, { recursive: true });
      await fsp.writeFile(probe, "ok", { flag: "wx" });
      await fsp.rm(probe, { force: true });
    } catch (err) {
      await fsp.rm(probe, { force: true }).catch(() => {});
      const code = errnoCode(err);
      const reason =
        code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EROFS"
            ? "read-only file system"
            : code === "ENOSPC"
              ? "no space left on device"
              : code === "ENOTDIR" || code === "EEXIST"
                ? "path is not a directory"
                : (code ?? "unknown error");
      throw new Error(`storage directory not writable: ${reason}`);
    }
  }

  return { kind: "local", put, get, head, delete: remove, list, check };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}
