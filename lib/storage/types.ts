import crypto from "node:crypto";
import Stream, { type Readable, type Transform } from "node:stream";

export type PutResult = { key: string; size: number; sha256: string };

export type ObjectInfo = { key: string; size: number; contentType?: string; lastModified?: Date };

export interface ObjectStore {
  readonly kind: "local" | "s3";
  /**
   * Streams body to storage (never buffers the whole object), computing sha256 and size while
   * streaming. Atomic: a failed/aborted put leaves no object at key (local: write temp file then
   * rename; s3: multipart upload via @aws-sdk/lib-storage Upload, aborted on error). An abort that
   * arrives after the whole body has been handed over may still complete the put; it then resolves.
   */
  put(key: string, body: NodeJS.ReadableStream | Readable, opts?: { contentType?: string; signal?: AbortSignal }): Promise<PutResult>;
  /** Readable stream of the object; rejects with ObjectNotFoundError when missing. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Idempotent: deleting a missing key resolves. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with prefix (a plain string prefix, as in S3), sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /**
   * Health check: resolves when storage is usable, else throws an Error with a SHORT reason
   * (no credentials, no endpoint secrets).
   */
  check(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  override name = "ObjectNotFoundError";
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
  }
}

export class InvalidObjectKeyError extends Error {
  override name = "InvalidObjectKeyError";
}

const MAX_KEY_BYTES = 1024;
// C0 controls and DEL: NUL breaks filesystem paths, and the rest cannot be carried in the XML
// that S3 list responses use, so such a key could be written but never listed.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function validatePath(value: string, what: "key" | "prefix"): void {
  if (Buffer.byteLength(value, "utf8") > MAX_KEY_BYTES) {
    throw new InvalidObjectKeyError(`object ${what} is longer than ${MAX_KEY_BYTES} bytes`);
  }
  if (value.startsWith("/")) throw new InvalidObjectKeyError(`object ${what} must not start with "/"`);
  if (value.includes("\\")) throw new InvalidObjectKeyError(`object ${what} must not contain "\\"`);
  if (CONTROL_CHARS.test(value)) {
    throw new InvalidObjectKeyError(`object ${what} must not contain control characters`);
  }
  // Empty and "." segments are rejected along with "..": a filesystem collapses them, so
  // "a//b", "a/./b" and "a/b" would be three S3 keys but one local file.
  for (const segment of value.split("/")) {
    if (segment === "..") throw new InvalidObjectKeyError(`object ${what} must not contain ".." segments`);
    if (segment === ".") throw new InvalidObjectKeyError(`object ${what} must not contain "." segments`);
    if (segment === "") throw new InvalidObjectKeyError(`object ${what} must not contain empty segments`);
  }
}

/** The one key check both drivers run, so a key valid for one store is valid for the other. */
export function assertValidKey(key: string): void {
  if (typeof key !== "string" || key === "") throw new InvalidObjectKeyError("object key must not be empty");
  validatePath(key, "key");
}

/** Prefixes follow the key rules, except that "" (everything) and a trailing "/" are allowed. */
export function assertValidPrefix(prefix: string): void {
  if (typeof prefix !== "string") throw new InvalidObjectKeyError("object prefix must be a string");
  const trimmed = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  if (prefix !== "" && trimmed === "") throw new InvalidObjectKeyError('object prefix must not be "/"');
  if (trimmed !== "") validatePath(trimmed, "prefix");
}

/** S3 lists keys in UTF-8 byte order; both drivers sort the same way so results match. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Accepts the old-style NodeJS.ReadableStream too, so callers can pass any stream they hold. */
export function toReadable(body: NodeJS.ReadableStream | Readable): Readable {
  return body instanceof Stream.Readable ? body : new Stream.Readable().wrap(body);
}

/** A pass-through that hashes and counts bytes on their way to storage, so nothing is read twice. */
export function createDigestStream(): { stream: Transform; result: () => { size: number; sha256: string } } {
  const hash = crypto.createHash("sha256");
  let size = 0;
  const stream = new Stream.Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      hash.update(bytes);
      size += bytes.length;
      callback(null, bytes);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest("hex") }) };
}
