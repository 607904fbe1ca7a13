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
  if (countUtf8Sequences(head) > 0) return { encoding: "utf-8", reason: "mixed: valid UTF-8 and other bytes" };
  return singleByteGuess(head);
}

/** A byte that is a C1 control in ISO-8859-1 but a printable character in windows-1252 (€ ‘ ’ “ ” – …). */
export function hasWindows1252Bytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80 && b <= 0x9f) return true;
  }
  return false;
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
    // ISO-8859-1 and windows-1252 differ only in 0x80–0x9F: control codes in one, letters and
    // punctuation in the other. A file using those bytes means the Windows code page.
    const encoding = hasWindows1252Bytes(head) ? "windows-1252" : "iso-8859-1";
    return { encoding, reason: `not UTF-8; byte statistics say ${encoding}${western?.lang ? ` (${western.lang})` : ""}` };
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

/** Well-formed multi-byte UTF-8 sequences in the bytes (stops counting at the first). */
function countUtf8Sequences(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0xc2 || b > 0xf4) continue;
    const need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
    let ok = i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok && findInvalidUtf8(bytes, i, i + need + 1) === -1) return 1;
  }
  return 0;
}
