import chardet from "chardet";
import { findInvalidUtf8 } from "./utf8";

/**
 * Which encoding a file without a byte-order mark is written in, from its bytes.
 *
 * UTF-8 is decided by validity (a non-ASCII text in another encoding is almost never valid
 * UTF-8); UTF-16 without a BOM by where its NUL bytes fall; the single-byte encodings by chardet's
 * byte statistics. A head that holds well-formed UTF-8 sequences AND invalid bytes is a mix
 * (e.g. two exports pasted together): no single encoding reads it right, so it stays "utf-8"
 * and the strict decoder names the line and column of the first bad byte.
 * No Node APIs: the browser's upload preview detects with this module too.
 */
export type EncodingGuess = {
  encoding: string;
  /** Why, in words for the dataset page ("valid UTF-8", "byte statistics: windows-1252 (fr)"). */
  reason: string;
};

/** Labels chardet reports that mean one byte per character (all of them iconv-lite can decode). */
const SINGLE_BYTE = /^(ISO-8859-\d+|windows-125\d|KOI8-R)$/;
const WESTERN = new Set(["ISO-8859-1", "windows-1252", "ISO-8859-15"]);
/** Central-European and Turkish code pages share most letters with Western ones; chardet's score
 *  between them is close on short samples, and Western files are far more common. */
const WESTERN_PREFERENCE = 1.5;

export function detectEncoding(head: Uint8Array, opts: { complete: boolean }): EncodingGuess {
  const wide = detectUtf16WithoutBom(head);
  if (wide) return { encoding: wide, reason: "UTF-16 without a byte-order mark (NUL byte pattern)" };
  const firstInvalid = findInvalidUtf8(head, 0, head.length, !opts.complete);
  if (firstInvalid === -1) return { encoding: "utf-8", reason: "valid UTF-8" };
  // A German windows-1252 "Fuß“" happens to hold one valid UTF-8 pair (DF 93): a file is taken
  // for mixed only when its UTF-8 sequences outnumber the bytes that are not UTF-8.
  const { valid, invalid } = countUtf8(head);
  if (valid > invalid) return { encoding: "utf-8", reason: "mixed: valid UTF-8 and other bytes" };
  return singleByteGuess(head);
}

/** Below this many non-ASCII bytes, letter statistics say little: a few accents in names. */
const MIN_STATISTICS_BYTES = 32;

function singleByteGuess(head: Uint8Array): EncodingGuess {
  const ranked = chardet.analyse(head).filter((m) => SINGLE_BYTE.test(m.name));
  const top = ranked[0];
  const western = ranked.find((m) => WESTERN.has(m.name));
  const pickWestern =
    !top ||
    WESTERN.has(top.name) ||
    countHighBytes(head) < MIN_STATISTICS_BYTES ||
    (western !== undefined && top.confidence < western.confidence * WESTERN_PREFERENCE);
  if (pickWestern) {
    // windows-1252, never ISO-8859-1, as browsers decide (WHATWG): the two differ only in
    // 0x80–0x9F, control codes no text uses in one and € ‘ ’ “ ” – in the other, which may first
    // appear long after the head. A true ISO-8859-1 file reads the same either way.
    const lang = western?.lang ?? top?.lang;
    return { encoding: "windows-1252", reason: `not UTF-8; byte statistics say a Western code page${lang ? ` (${lang})` : ""}` };
  }
  const encoding = top.name.toLowerCase();
  return { encoding, reason: `not UTF-8; byte statistics say ${encoding}${top.lang ? ` (${top.lang})` : ""}` };
}

function countHighBytes(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) n++;
  return n;
}

/**
 * UTF-16 text that is mostly ASCII has a NUL in every other byte: the high byte of each unit.
 * Anything less regular (a binary file, a stray NUL) is left to the binary checks.
 */
function detectUtf16WithoutBom(head: Uint8Array): "utf-16le" | "utf-16be" | null {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 8) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZeros++;
    if (head[i + 1] === 0) oddZeros++;
  }
  const units = n / 2;
  if (oddZeros > units * 0.4 && evenZeros < units * 0.05) return "utf-16le";
  if (evenZeros > units * 0.4 && oddZeros < units * 0.05) return "utf-16be";
  return null;
}

/** Well-formed multi-byte UTF-8 sequences in the bytes, and bytes that begin none. */
function countUtf8(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 ? 1 : 0;
    if (need > 0 && i + need < bytes.length && findInvalidUtf8(bytes, i, i + need + 1) === -1) {
      valid++;
      i += need;
    } else invalid++;
  }
  return { valid, invalid };
}
