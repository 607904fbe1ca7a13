import iconv from "iconv-lite";
import { CsvFormatError } from "./errors";

/**
 * iconv-lite's own name for a label after following its alias table ("UTF-16LE" → "ucs2",
 * "latin1" → "iso88591"), so different spellings of one encoding compare equal.
 */
export function canonicalEncoding(label: string): string {
  iconv.getCodec(label); // loads the alias table, which is lazy
  const table = iconv.encodings as Record<string, unknown> | null;
  let name = iconv._canonicalizeEncoding(label);
  for (let hops = 0; hops < 10 && table && typeof table[name] === "string"; hops++) {
    name = table[name] as string;
  }
  return name;
}

/**
 * Validates a user-chosen label against what iconv-lite can decode and returns the label to
 * use from then on. UTF-8 in any spelling becomes "utf-8" because it takes the strict path.
 */
export function resolveEncodingLabel(label: string): string {
  const trimmed = label.trim();
  if (!trimmed || !iconv.encodingExists(trimmed)) {
    throw new CsvFormatError("encoding", `Unknown text encoding "${label}". Choose one such as utf-8, windows-1252, latin1 or utf-16le.`);
  }
  return isUtf8Label(trimmed) ? "utf-8" : trimmed.toLowerCase();
}

export function isUtf8Label(label: string): boolean {
  return iconv.encodingExists(label) && canonicalEncoding(label) === "utf8";
}

const WIDE = new Set(["ucs2", "utf16", "utf16le", "utf16be", "utf32", "utf32le", "utf32be"]);

/**
 * Wide encodings put NUL bytes in ordinary text, so byte-level binary checks must not run on
 * them; every other encoding iconv-lite offers keeps ASCII bytes (and so 0x00) meaning ASCII.
 */
export function isWideEncoding(label: string): boolean {
  return iconv.encodingExists(label) && WIDE.has(canonicalEncoding(label));
}

// The byte-level UTF-8 checks live in ./utf8.ts, free of iconv-lite, for the browser preview.
export { findInvalidUtf8, incompleteUtf8Tail } from "./utf8";

/**
 * A byte that is not UTF-8. With its line and column (see locate.ts) when the caller could
 * work them out: a byte offset means nothing to someone looking at the file in a spreadsheet.
 */
export function invalidUtf8Error(byteOffset: number, userChoseUtf8: boolean, where?: { line: number; column: number }): CsvFormatError {
  const hint = userChoseUtf8
    ? "Check the file, or choose the encoding it was saved in"
    : "The rest of the file reads as UTF-8, so it probably mixes two encodings (e.g. exports pasted together): save it again in one encoding, or choose the encoding to read it in";
  const at = where ? `line ${where.line}, column ${where.column} (byte offset ${byteOffset})` : `byte offset ${byteOffset}`;
  return new CsvFormatError("encoding", `This file is not valid UTF-8: the first invalid byte is at ${at}. ${hint}.`, {
    byteOffset,
    ...where,
  });
}

/**
 * PostgreSQL's name for a single-byte encoding COPY can convert from (its ENCODING option), or
 * null: such files take the fast path, with the server doing the conversion. These are the ones
 * whose every byte has one meaning in both iconv-lite and PostgreSQL; the rest are decoded here.
 */
const POSTGRES_SINGLE_BYTE: Record<string, string> = {
  iso88591: "LATIN1",
  iso88592: "LATIN2",
  iso88595: "ISO_8859_5",
  iso88597: "ISO_8859_7",
  iso88599: "LATIN5",
  iso885915: "LATIN9",
  windows1250: "WIN1250",
  windows1251: "WIN1251",
  windows1252: "WIN1252",
  windows1253: "WIN1253",
  windows1254: "WIN1254",
  windows1257: "WIN1257",
  koi8r: "KOI8R",
};

/** One byte per character (ISO-8859-*, windows-125*, KOI8-R, …): a character's index is its byte's. */
export function isSingleByteEncoding(label: string): boolean {
  if (!iconv.encodingExists(label)) return false;
  const codec = (iconv.encodings as Record<string, unknown> | null)?.[canonicalEncoding(label)] as { type?: string } | undefined;
  return codec?.type === "_sbcs";
}

export function postgresSingleByteEncoding(label: string): string | null {
  if (!iconv.encodingExists(label)) return null;
  return POSTGRES_SINGLE_BYTE[canonicalEncoding(label)] ?? null;
}
