import Stream, { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type ListObjectsV2CommandOutput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { S3StoreError } from "@/lib/storage/errors";
import type { S3Config } from "@/lib/env";
import {
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

const PART_SIZE = 8 * 1024 * 1024;
// Two parts in flight bounds memory at roughly 3 × 8 MiB per upload, whatever the object size.
const QUEUE_SIZE = 2;
const CHECK_TIMEOUT_MS = 5_000;

export { S3StoreError };

type SdkErrorShape = { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };

function errorFacts(err: unknown): { name?: string; code?: string; status?: number; message: string } {
  const e = (err ?? {}) as SdkErrorShape;
  return {
    name: typeof e.name === "string" ? e.name : undefined,
    code: typeof e.code === "string" ? e.code : undefined,
    status: e.$metadata?.httpStatusCode,
    message: typeof e.message === "string" ? e.message : String(err),
  };
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

function isMissing(err: unknown): boolean {
  const { name, status } = errorFacts(err);
  // HEAD responses have no body, so a missing key only shows as NotFound / 404.
  return name === "NoSuchKey" || name === "NotFound" || (status === 404 && name !== "NoSuchBucket");
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error("The operation was aborted");
  err.name = "AbortError";
  return err;
}

export function createS3Store(cfg: S3Config): ObjectStore {
  const client = new S3Client({
    region: cfg.region,
    endpoint: cfg.endpoint,
    forcePathStyle: cfg.forcePathStyle,
    credentials:
      cfg.accessKeyId && cfg.secretAccessKey ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } : undefined,
    // Since early 2025 the SDK adds CRC checksums to every upload by default, which several
    // S3-compatible servers (older MinIO, Ceph RGW, some hosted ones) reject; AWS accepts them.
    // Our own sha256 is the integrity record either way.
    requestChecksumCalculation: cfg.endpoint ? "WHEN_REQUIRED" : "WHEN_SUPPORTED",
    responseChecksumValidation: cfg.endpoint ? "WHEN_REQUIRED" : "WHEN_SUPPORTED",
    // Idle timeout rather than a total one: an 8 MiB part on a slow link may legitimately take
    // minutes, but a socket silent for a minute is dead.
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
  });
  const bucket = cfg.bucket;
  const secrets = [cfg.accessKeyId, cfg.secretAccessKey].filter((s): s is string => Boolean(s));

  function clean(message: string): string {
    let out = message.replace(/\/\/[^/\s@]+@/g, "//"); // userinfo in a URL
    for (const secret of secrets) out = out.split(secret).join("[redacted]");
    return out.length > 300 ? `${out.slice(0, 300)}…` : out;
  }

  function wrap(op: string, key: string, err: unknown): S3StoreError {
    const { name, code, status, message } = errorFacts(err);
    const label = code ?? name;
    return new S3StoreError(
      `S3 ${op} failed for "${key}": ${clean(message)}${label ? ` (${label}${status ? `, HTTP ${status}` : ""})` : ""}`,
      label,
      status,
    );
  }

  async function put(
    key: string,
    body: NodeJS.ReadableStream | Readable,
    opts: { contentType?: string; signal?: AbortSignal } = {},
  ): Promise<PutResult> {
    assertValidKey(key);
    const { signal } = opts;
    const source = toReadable(body);
    if (signal?.aborted) {
      source.destroy();
      throw abortError(signal);
    }
    const digest = createDigestStream();

    // The first failure on the source side (its own error, or our abort). Recorded from the
    // 'error' event, which fires before the pipeline tears down the digest stream, so it is known
    // by the time the Upload rejects and we can tell "body failed" from "S3 failed".
    let sourceError: unknown;
    source.once("error", (err) => {
      sourceError ??= err;
    });
    Stream.pipeline(source, digest.stream, () => {});
    const onAbort = () => {
      const err = abortError(signal);
      sourceError ??= err;
      source.destroy(err);
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    // A failing body makes the Upload's read loop throw; Upload then sends AbortMultipartUpload
    // (leavePartsOnError stays false) before done() rejects, so no object appears at key. We do
    // not use Upload's own abortController: it rejects at once while a CompleteMultipartUpload
    // already in flight may still create the object afterwards.
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: digest.stream, ContentType: opts.contentType },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      source.destroy();
      digest.stream.destroy();
      if (sourceError !== undefined) throw sourceError;
      throw wrap("put", key, err);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    return { key, ...digest.result() };
  }

  async function get(key: string): Promise<Readable> {
    assertValidKey(key);
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(res.Body instanceof Readable)) throw new Error("S3 response body is not a Node stream");
      return res.Body;
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(key);
      throw wrap("get", key, err);
    }
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    try {
      const res = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: res.ContentLength ?? 0, contentType: res.ContentType, lastModified: res.LastModified };
    } catch (err) {
      if (isMissing(err)) return null;
      throw wrap("head", key, err);
    }
  }

  async function remove(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      // S3 answers 204 for a missing key; some compatible servers answer 404 instead.
      if (isMissing(err)) return;
      throw wrap("delete", key, err);
    }
  }

  async function list(prefix: string): Promise<ObjectInfo[]> {
    assertValidPrefix(prefix);
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
      } catch (err) {
        throw wrap("list", prefix, err);
      }
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        out.push({ key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async function check(): Promise<void> {
    const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
    let timer: NodeJS.Timeout | undefined;
    try {
      // The race covers SDK retry back-off, during which the abort signal is not consulted.
      await Promise.race([
        client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { name: "TimeoutError" })), CHECK_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      throw new Error(checkReason(err));
    } finally {
      clearTimeout(timer);
    }
  }

  return { kind: "s3", put, get, head, delete: remove, list, check };
}

/** A short, secret-free reason for the health check, from whatever HeadBucket threw. */
function checkReason(err: unknown): string {
  const { name, code, status } = errorFacts(err);
  if (name === "NotFound" || name === "NoSuchBucket" || status === 404) return "bucket not found";
  if (status === 403 || name === "AccessDenied" || name === "Forbidden") return "access denied";
  if (status === 301 || name === "PermanentRedirect") return "bucket is in another region";
  if (name === "CredentialsProviderError") return "no credentials configured";
  if (name === "AbortError" || name === "TimeoutError") return "unreachable (timed out)";
  if ((code && NETWORK_CODES.has(code)) || (name && NETWORK_CODES.has(name))) return "unreachable";
  if (status) return `unexpected response (HTTP ${status})`;
  return `unexpected error (${name ?? "unknown"})`;
}
