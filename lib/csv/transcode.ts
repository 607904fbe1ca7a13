import { transcode } from "node:buffer";
import { FastPathUnsupported } from "./copy-scan";
import { canonicalEncoding, isUtf8Label } from "./encoding";

/**
 * Single-byte Western files turned into UTF-8 on the fast path, in the worker: PostgreSQL's COPY
 * can convert them itself (its ENCODING option) but does so line by line, which measured slower
 * (docs/benchmarks.md). ISO-8859-1 maps every byte to the code point of the same number, which
 * Node's native transcode does; windows-1252 only differs in 0x80–0x9F.
 */

/** windows-1252's 0x80–0x9F; the five bytes it leaves undefined are marked by U+FFFD. */
const WINDOWS_1252_C1 = "€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ";
const C1_ALL = /[\x80-\x9f]/g;

export function latin1ToUtf8(chunk: Buffer): Buffer {
  return transcode(chunk, "latin1", "utf8");
}

/**
 * A chunk without bytes 0x80–0x9F (most of a file) is ISO-8859-1: one native transcode, then a
 * memchr-speed look for what those bytes became (C2 80–C2 9F; in UTF-8 made from Latin-1 a C2 is
 * always a lead byte). The rare chunk with them maps them by table. A byte windows-1252 does not
 * define leaves the fast path: the exact parser names its line and column.
 */
export function windows1252ToUtf8(chunk: Buffer): Buffer {
  const utf8 = transcode(chunk, "latin1", "utf8");
  if (!hasC1(utf8)) return utf8;
  const mapped = chunk.toString("latin1").replace(C1_ALL, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!);
  if (mapped.includes("\uFFFD")) throw new FastPathUnsupported("a byte windows-1252 does not define");
  return Buffer.from(mapped, "utf8");
}

function hasC1(utf8: Buffer): boolean {
  for (let i = utf8.indexOf(0xc2); i !== -1; i = utf8.indexOf(0xc2, i + 1)) {
    const next = utf8[i + 1];
    if (next !== undefined && next <= 0x9f) return true;
  }
  return false;
}

/** A transcoder to UTF-8 that may carry bytes from one chunk to the next. */
export type ChunkTranscoder = { push(chunk: Buffer): Buffer; end(): Buffer };

/**
 * UTF-16 files turned into UTF-8 on the fast path, in the worker (COPY cannot read UTF-16 at
 * all); UTF-16BE this way, LE by createUtf16leToUtf8. A code unit or a surrogate pair split between two chunks is carried over by
 * TextDecoder's stream mode. Anything that is not UTF-16 (a lone surrogate, an odd last byte)
 * leaves the fast path: the exact parser names its line and column. The BOM was skipped before
 * (the sniff's startOffset), so a U+FEFF further on is data and kept (ignoreBOM).
 */
export function createUtf16ToUtf8(encoding: "utf-16le" | "utf-16be"): ChunkTranscoder {
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  const utf8 = (decode: () => string) => {
    let text: string;
    try {
      text = decode();
    } catch {
      throw new FastPathUnsupported(`not valid ${encoding.toUpperCase()}`);
    }
    return Buffer.from(text, "utf8");
  };
  return {
    push: (chunk) => utf8(() => decoder.decode(chunk, { stream: true })),
    end: () => utf8(() => decoder.decode()),
  };
}

/**
 * UTF-16LE, the common one (Excel's "Unicode text", PowerShell), by Node's native transcode:
 * about four times TextDecoder's speed. It refuses a lone surrogate (U_INVALID_CHAR_FOUND), so
 * nothing is replaced silently; a chunk ending inside a code unit or a surrogate pair keeps those
 * bytes for the next one (transcode would drop an odd byte and refuse a half pair).
 */
export function createUtf16leToUtf8(): ChunkTranscoder {
  let carry: Buffer | null = null;
  const convert = (bytes: Buffer) => {
    try {
      return transcode(bytes, "utf16le", "utf8");
    } catch {
      throw new FastPathUnsupported("not valid UTF-16LE");
    }
  };
  return {
    push(chunk) {
      const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      let end = bytes.length & ~1;
      if (end >= 2) {
        const last = bytes.readUInt16LE(end - 2);
        if (last >= 0xd800 && last <= 0xdbff) end -= 2;
      }
      if (end < bytes.length) carry = Buffer.from(bytes.subarray(end));
      return convert(bytes.subarray(0, end));
    },
    end() {
      if (carry) throw new FastPathUnsupported("not valid UTF-16LE");
      return Buffer.alloc(0);
    },
  };
}

/** The stateless single-byte transcoders as ChunkTranscoders. */
export function chunkwise(transcode: (chunk: Buffer) => Buffer): ChunkTranscoder {
  return { push: transcode, end: () => Buffer.alloc(0) };
}

/**
 * How the fast path turns a file's bytes into UTF-8 in the worker: ISO-8859-1, windows-1252 and
 * UTF-16. Null for UTF-8 (nothing to do) and for the other single-byte code pages, which COPY
 * converts itself (its ENCODING option).
 */
export function fastPathTranscoder(label: string): ChunkTranscoder | null {
  if (isUtf8Label(label)) return null;
  switch (canonicalEncoding(label)) {
    case "iso88591":
      return chunkwise(latin1ToUtf8);
    case "windows1252":
      return chunkwise(windows1252ToUtf8);
    case "ucs2": // iconv-lite's name for UTF-16LE
    case "utf16le":
      return createUtf16leToUtf8();
    case "utf16be":
      return createUtf16ToUtf8("utf-16be");
    default:
      return null;
  }
}
