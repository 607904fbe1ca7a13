import { transcode } from "node:buffer";
import { FastPathUnsupported } from "./copy-scan";

/**
 * Single-byte Western files turned into UTF-8 on the fast path, in the worker: PostgreSQL's COPY
 * can convert them itself (its ENCODING option) but does so line by line, which measured slower
 * (docs/benchmarks.md). ISO-8859-1 maps every byte to the code point of the same number, which
 * Node's native transcode does; windows-1252 only differs in 0x80–0x9F.
 */

/** windows-1252's 0x80–0x9F; the five bytes it leaves undefined are marked by U+FFFD. */
const WINDOWS_1252_C1 = "€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ";
const C1 = /[\x80-\x9f]/;
const C1_ALL = /[\x80-\x9f]/g;

export function latin1ToUtf8(chunk: Buffer): Buffer {
  return transcode(chunk, "latin1", "utf8");
}

/**
 * A chunk without bytes 0x80–0x9F (most of a file) is ISO-8859-1; the rest maps those bytes by
 * table. A byte windows-1252 does not define leaves the fast path: the exact parser names its
 * line and column.
 */
export function windows1252ToUtf8(chunk: Buffer): Buffer {
  const text = chunk.toString("latin1");
  if (!C1.test(text)) return transcode(chunk, "latin1", "utf8");
  const mapped = text.replace(C1_ALL, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!);
  if (mapped.includes("\uFFFD")) throw new FastPathUnsupported("a byte windows-1252 does not define");
  return Buffer.from(mapped, "utf8");
}
