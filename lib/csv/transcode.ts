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
