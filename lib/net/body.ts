import type { IncomingMessage } from "node:http";
import { pipeline, Readable } from "node:stream";
import zlib from "node:zlib";
import { OutboundError, OutboundIncompleteError, OutboundTimeoutError, OutboundTooLargeError } from "@/lib/net/errors";

/**
 * The response body as a chain of pull-based async generators: network → content decoding →
 * ".gz" sniffing → byte cap. Each stage asks the one before it for the next chunk only when it
 * needs one, so a gzip bomb inflates at most a zlib chunk or two past the cap before it is stopped.
 */

export type BodyOptions = {
  /** scheme://host:port, the only part of the URL that error messages may show. */
  origin: string;
  maxBytes: number;
  idleTimeoutMs: number;
  /** The URL path ends in .gz: decompress when the bytes start with the gzip magic number. */
  gzipByExtension: boolean;
};

type Chunks = AsyncGenerator<Buffer, void, undefined>;
type Decoder = zlib.Gunzip | zlib.Inflate | zlib.InflateRaw;

/**
 * Throws at once (rather than returning a stream that fails) when the encoding is one we cannot
 * decode or Content-Length already exceeds the limit, so no body byte is read in vain.
 */
export function buildBody(res: IncomingMessage, opts: BodyOptions): Readable {
  const codings = contentCodings(res.headers["content-encoding"], opts.origin);
  const declared = contentLength(res.headers["content-length"]);
  const compressed = codings.length > 0 || opts.gzipByExtension;
  // Compressed input can be a little larger than its output (stored blocks, headers), never much;
  // the raw cap also stops endless bytes that a decoder would skip, like data after the gzip trailer.
  const rawLimit = compressed ? opts.maxBytes + Math.ceil(opts.maxBytes / 64) + 65_536 : opts.maxBytes;
  if (declared !== undefined && declared > rawLimit) throw new OutboundTooLargeError(opts.maxBytes);

  let chunks: Chunks = rawChunks(res, opts.idleTimeoutMs, declared, rawLimit, opts.maxBytes, opts.origin);
  // Codings are listed in the order they were applied; undo them last-first.
  for (const coding of [...codings].reverse()) {
    chunks = decode(chunks, (head) => decoderFor(coding, head), opts.origin);
  }
  if (opts.gzipByExtension) {
    chunks = decode(chunks, (head) => (head[0] === 0x1f && head[1] === 0x8b ? zlib.createGunzip() : undefined), opts.origin);
  }
  return new IteratorReadable(capped(chunks, opts.maxBytes));
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const EXCERPT_BYTES = 2048;
const EXCERPT_CHARS = 500;
const EXCERPT_WAIT_MS = 5_000;

/** A short, single-line start of an error body; best effort, bounded in bytes and time. */
export async function readExcerpt(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  const timer = setTimeout(() => body.destroy(), EXCERPT_WAIT_MS);
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= EXCERPT_BYTES) break;
    }
  } catch {
    // An error page that fails halfway still tells us something; keep what arrived.
  } finally {
    clearTimeout(timer);
    body.destroy();
  }
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/[\s\u0000-\u001f\u007f]+/g, " ")
    .trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
}

/**
 * A Readable over an async iterator that, unlike Readable.from, destroys at once: Readable.from
 * waits for the iterator to settle, which never happens while it awaits a stalled socket.
 */
class IteratorReadable extends Readable {
  private pulling = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {
    super();
  }

  override _read(): void {
    if (this.pulling) return;
    this.pulling = true;
    this.source.next().then(
      (step) => {
        this.pulling = false;
        if (!this.destroyed) this.push(step.done ? null : step.value);
      },
      (err: unknown) => {
        this.pulling = false;
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.source.return?.(undefined)?.catch(() => {});
    callback(err);
  }
}

async function* rawChunks(
  res: IncomingMessage,
  idleTimeoutMs: number,
  expected: number | undefined,
  rawLimit: number,
  maxBytes: number,
  origin: string,
): Chunks {
  const iterator = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let received = 0;
  try {
    for (;;) {
      let step: IteratorResult<Buffer>;
      try {
        step = await nextWithin(iterator, idleTimeoutMs, () => new OutboundTimeoutError("idle", idleTimeoutMs, origin));
      } catch (err) {
        if (err instanceof OutboundError) throw err;
        // Node reports a connection cut mid-body as an 'aborted'/ECONNRESET error on the response.
        throw new OutboundIncompleteError(received, expected, origin, { cause: err });
      }
      if (step.done) break;
      if (step.value.length === 0) continue;
      received += step.value.length;
      if (received > rawLimit) throw new OutboundTooLargeError(maxBytes);
      yield step.value;
    }
    // Belt and braces: a body that ends quietly short of Content-Length (or without the final
    // chunk) must not pass for the whole file.
    if (!res.complete || (expected !== undefined && received < expected)) {
      throw new OutboundIncompleteError(received, expected, origin);
    }
  } finally {
    // Also wakes the pending read after an idle timeout; the iterator's own return() would wait for it.
    res.destroy();
  }
}

/** The iterator's next chunk, or the timeout error if none comes within `ms` of asking. */
function nextWithin<T>(iterator: AsyncIterator<T>, ms: number, timeoutError: () => Error): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    iterator.next().then(
      (step) => {
        clearTimeout(timer);
        resolve(step);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Looks at the first two bytes, then passes the stream through `choose`'s decoder, if any. */
async function* decode(source: Chunks, choose: (head: Buffer) => Decoder | undefined, origin: string): Chunks {
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  while (head.length < 2) {
    const step = await source.next();
    if (step.done) {
      ended = true;
      break;
    }
    head = head.length === 0 ? step.value : Buffer.concat([head, step.value]);
  }
  const decoder = head.length > 0 ? choose(head) : undefined;
  const rest = replay(head, ended ? undefined : source);
  if (!decoder) {
    yield* rest;
    return;
  }
  pipeline(new IteratorReadable(rest), decoder, () => {
    // Errors reach us through the decoder, which pipeline destroys with the same error.
  });
  try {
    for await (const chunk of decoder) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof OutboundError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "unknown error";
    throw new OutboundError(`${origin}: compressed body is corrupt or truncated (${code})`, 502, { cause: err });
  }
}

async function* replay(head: Buffer, source: Chunks | undefined): Chunks {
  try {
    if (head.length > 0) yield head;
    if (!source) return;
    for (;;) {
      const step = await source.next();
      if (step.done) return;
      yield step.value;
    }
  } finally {
    source?.return(undefined).catch(() => {});
  }
}

async function* capped(source: Chunks, maxBytes: number): Chunks {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) throw new OutboundTooLargeError(maxBytes);
    yield chunk;
  }
}

function decoderFor(coding: string, head: Buffer): Decoder {
  if (coding === "deflate") {
    // "deflate" is meant to be zlib-wrapped, but servers send raw deflate too; the zlib header
    // (CM=8, header checksum divisible by 31) tells them apart.
    const zlibWrapped = (head[0] & 0x0f) === 8 && ((head[0] << 8) | head[1]) % 31 === 0;
    return zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw();
  }
  return zlib.createGunzip();
}

function contentCodings(header: string | undefined, origin: string): string[] {
  if (!header) return [];
  const codings = header
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity")
    .map((c) => (c === "x-gzip" ? "gzip" : c));
  const unsupported = codings.find((c) => c !== "gzip" && c !== "deflate");
  if (unsupported) throw new OutboundError(`${origin}: unsupported Content-Encoding "${unsupported}"`);
  return codings;
}

export function contentLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  const value = Number(header.trim());
  return Number.isSafeInteger(value) ? value : undefined;
}
