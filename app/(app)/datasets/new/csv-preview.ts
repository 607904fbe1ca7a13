import Papa from "papaparse";
import { checkBinaryHead, checkMagic } from "@/lib/csv/binary";
import { detectEncoding } from "@/lib/csv/detect-encoding";
import { detectBom, detectDelimiter } from "@/lib/csv/dialect";
import { normalizeHeaders } from "@/lib/csv/headers";
import { detectLayout, physicalLineStart } from "@/lib/csv/layout";

export const PREVIEW_BYTES = 64 * 1024;
export const PREVIEW_ROWS = 10;

export type HeadText = {
  text: string;
  truncated: boolean;
  encoding: string;
  encodingDetected?: boolean;
  /** The server's refusal of a binary file, when the head already shows it (lib/csv/binary.ts). */
  binary?: string;
};

export type CsvPreview = {
  delimiter: string;
  /** Whether the delimiter was detected (true) or the one chosen in the options. */
  detected: boolean;
  /** The header cells as written in the file (or column_N without a header row). */
  headers: string[];
  /** The Postgres column names the loader will make of them. */
  names: string[];
  rows: string[][];
  /** Papa's complaints about the sample, e.g. rows whose field count differs. */
  warnings: string[];
  /** Where the table starts (lines before it are a preamble the load skips) and whether it has a header. */
  headerLine: number;
  header: boolean;
  headerDetected: boolean;
  /** Every line ends with the delimiter: the empty field after it is not a column. */
  trailingDelimiter: boolean;
};

/**
 * Decodes the head as the server's sniff (lib/csv/sniff.ts) does: a byte-order mark wins over
 * the chosen encoding, which wins over detection (lib/csv/detect-encoding.ts, the server's own),
 * and a character cut off by the end of the head is left out. An encoding the browser cannot
 * decode (UTF-32, a label it does not know) is shown as UTF-8; the server decides for real.
 */
export function decodeHead(
  bytes: Uint8Array,
  encoding?: string,
  complete = false,
): { text: string; encoding: string; encodingDetected?: boolean } {
  const bom = detectBom(bytes);
  const body = bytes.subarray(bom?.length ?? 0);
  const chosen = encoding && encoding.toLowerCase() !== "auto" ? encoding : undefined;
  const detected = bom || chosen ? undefined : detectEncoding(bytes, { complete }).encoding;
  const label = bom?.encoding ?? chosen ?? detected!;
  // `stream: true` holds back an incomplete last character instead of decoding it as U+FFFD; a
  // complete head flushes it. Always streaming also sidesteps Node 24.21's one-shot windows-1252
  // decode, which reads 0x80–0x9F as ISO-8859-1 controls (the streaming path is right everywhere).
  try {
    const decoder = new TextDecoder(label, { ignoreBOM: true });
    const text = decoder.decode(body, { stream: true }) + (complete ? decoder.decode() : "");
    return { text, encoding: label.toLowerCase(), ...(detected ? { encodingDetected: true } : {}) };
  } catch {
    return { text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(body, { stream: true }), encoding: "utf-8" };
  }
}

const WIDE = /^(utf-?(16|32)|ucs-?2)/i;

/**
 * Why the server will refuse this head as binary, or null: the server's own rule (lib/csv/binary.ts)
 * with the encoding decided as decodeHead decides it. A wide encoding the browser could not decode
 * (UTF-32) is checked by its signature only; the server checks the rest.
 */
export function binaryProblem(bytes: Uint8Array, decoded: { text: string; encoding: string }, encoding?: string): string | null {
  const bom = detectBom(bytes);
  const chosen = encoding && encoding.toLowerCase() !== "auto" ? encoding : undefined;
  const label = bom?.encoding ?? chosen ?? decoded.encoding;
  try {
    if (WIDE.test(label) && !WIDE.test(decoded.encoding)) checkMagic(bytes);
    else checkBinaryHead(bytes, { bomLength: bom?.length ?? 0, wide: WIDE.test(label), text: () => decoded.text });
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : "This file looks binary, not CSV.";
  }
}

/** The first 64 KiB of a file as text, decoded as the server will. */
export async function readHeadText(file: File, encoding?: string): Promise<HeadText> {
  const bytes = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  const truncated = file.size > PREVIEW_BYTES;
  const decoded = decodeHead(bytes, encoding, !truncated);
  const binary = binaryProblem(bytes, decoded, encoding);
  return { ...decoded, truncated, ...(binary ? { binary } : {}) };
}

/**
 * The header row and the first 10 data rows, read with the server's rules (lib/csv/layout.ts):
 * preamble lines skipped, the header detected unless chosen, a trailing delimiter dropped.
 */
export function parsePreview(head: HeadText, opts: { delimiter?: string; header?: boolean; headerLine?: number }): CsvPreview {
  // The server's detection rules over the same head (the cut last record is ignored by them).
  const delimiter = opts.delimiter ?? detectDelimiter(head.text);
  const layout = detectLayout(head.text, delimiter, !head.truncated);
  const at = opts.headerLine ? physicalLineStart(head.text, opts.headerLine) : { start: layout.start };
  // A header line past the head shows an empty preview; the server says what is wrong.
  const start = "start" in at ? at.start : head.text.length;
  let text = head.text.slice(start);
  if (head.truncated) {
    // The 64 KiB cut usually lands mid-row; drop that partial last line.
    const cut = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    if (cut > 0) text = text.slice(0, cut);
  }
  const header = opts.header ?? layout.header;
  const trailing = !opts.headerLine && layout.trailingDelimiter;
  const result = Papa.parse<string[]>(text, { preview: PREVIEW_ROWS + 1, delimiter, skipEmptyLines: true });
  const all = trailing ? result.data.map((row) => (row.length > 1 && row[row.length - 1] === "" ? row.slice(0, -1) : row)) : result.data;
  const width = all.reduce((n, row) => Math.max(n, row.length), 0);
  const headers = header ? (all[0] ?? []) : Array.from({ length: width }, (_, i) => `column_${i + 1}`);
  const rows = (header ? all.slice(1) : all).slice(0, PREVIEW_ROWS);
  let names: string[];
  try {
    names = header ? normalizeHeaders(headers).map((h) => h.name) : headers;
  } catch {
    names = headers.map(() => "");
  }
  // Short rows are padded by the load: not a problem worth a warning here.
  const warnings = Array.from(new Set(result.errors.filter((e) => e.code !== "TooFewFields").map((e) => e.message))).slice(0, 3);
  return {
    delimiter,
    detected: !opts.delimiter,
    headers,
    names,
    rows,
    warnings,
    headerLine: opts.headerLine ?? layout.startLine,
    header,
    headerDetected: opts.header === undefined,
    trailingDelimiter: trailing,
  };
}
