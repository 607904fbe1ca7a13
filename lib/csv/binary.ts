import { CsvFormatError } from "./errors";

// No Node APIs: the browser's upload form refuses binary files with this module too
// (app/(app)/datasets/new/csv-preview.ts), so both sides apply one rule.

interface Magic {
  bytes: number[];
  what: string;
}

/**
 * Files people upload by mistake. Named so the error says what the file is instead of a
 * vague "invalid CSV". gzip is absent on purpose: the fetcher inflates it before we see it.
 */
const MAGIC: Magic[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: "PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38, 0x37, 0x61], what: "GIF image" },
  { bytes: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], what: "GIF image" },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: "PDF document" },
  // .xlsx, .docx and .ods are ZIP archives; the hint matters more than the container name.
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: "ZIP archive, e.g. an .xlsx workbook; export it as CSV first" },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: "ZIP archive" },
  { bytes: [0x50, 0x4b, 0x07, 0x08], what: "ZIP archive" },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: "legacy Office document, e.g. an .xls workbook; export it as CSV first",
  },
  { bytes: Array.from("SQLite format 3\0", (c) => c.charCodeAt(0)), what: "SQLite database" },
];

function binaryError(what: string): CsvFormatError {
  return new CsvFormatError("binary", `This file looks binary (${what}), not CSV.`);
}

/** Refuses known non-text formats by their signature. */
export function checkMagic(head: Uint8Array): void {
  for (const m of MAGIC) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) throw binaryError(m.what);
  }
}

/**
 * Above this share of control characters a file is not text. Random bytes score about 11%,
 * real CSV close to 0%; 3% leaves room for the odd stray control character in a text column.
 */
const CONTROL_RATIO_LIMIT = 0.03;

function isControl(code: number): boolean {
  // Tab, LF, CR and form feed occur in real text files; the rest of C0 and DEL do not.
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) || code === 0x7f;
}

/**
 * Byte-level checks for ASCII-compatible encodings. Runs before any decoding so that a binary
 * file is reported as binary rather than as "invalid UTF-8 at offset 3".
 */
export function checkBinaryBytes(head: Uint8Array, start: number): void {
  const nul = head.indexOf(0, start);
  if (nul !== -1) {
    // Text in UTF-16 without a byte-order mark is NUL in every other byte: say so, as the user
    // can fix that by choosing the encoding.
    const hint = looksLikeUtf16(head, start) ? "NUL bytes; if it is UTF-16 text, choose that encoding" : "NUL bytes";
    throw new CsvFormatError("binary", `This file looks binary (it contains ${hint}), not CSV.`, {
      byteOffset: nul,
    });
  }
  let controls = 0;
  for (let i = start; i < head.length; i++) if (isControl(head[i])) controls++;
  if (controls > 0 && controls / Math.max(1, head.length - start) > CONTROL_RATIO_LIMIT) {
    throw binaryError("too many control characters");
  }
}

/** The same control-character check on decoded text, for wide encodings. */
export function checkBinaryText(text: string): void {
  if (text.includes("\0")) throw binaryError("it contains NUL characters");
  let controls = 0;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) controls++;
  if (controls > 0 && controls / Math.max(1, text.length) > CONTROL_RATIO_LIMIT) {
    throw binaryError("too many control characters");
  }
}

function looksLikeUtf16(head: Uint8Array, start: number): boolean {
  const n = Math.min(head.length, start + 512);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = start; i < n; i++) {
    if (head[i] === 0) {
      if ((i - start) % 2 === 0) evenNul++;
      else oddNul++;
    }
  }
  const pairs = (n - start) / 2;
  return pairs >= 2 && Math.max(evenNul, oddNul) >= pairs * 0.6;
}

/**
 * The binary rule over a file's head in the order lib/csv/sniff.ts applies it: signatures on the
 * raw bytes, then NUL and control bytes after the BOM, or, for a wide encoding (UTF-16/32, where
 * NUL bytes are ordinary), the same check on the decoded text. Throws a CsvFormatError "binary".
 */
export function checkBinaryHead(head: Uint8Array, read: { bomLength: number; wide: boolean; text: () => string }): void {
  checkMagic(head);
  if (read.wide) checkBinaryText(read.text());
  else checkBinaryBytes(head, read.bomLength);
}
