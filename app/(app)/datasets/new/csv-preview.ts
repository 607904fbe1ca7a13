import Papa from "papaparse";
import { detectBom, detectDelimiter } from "@/lib/csv/dialect";
import { normalizeHeaders } from "@/lib/csv/headers";

export const PREVIEW_BYTES = 64 * 1024;
export const PREVIEW_ROWS = 10;

export type HeadText = { text: string; truncated: boolean; encoding: string };

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
};

/**
 * Decodes the head as the server's sniff (lib/csv/sniff.ts) does: a byte-order mark wins over
 * the chosen encoding, which wins over UTF-8, and a character cut off by the end of the head is
 * left out. An encoding the browser cannot decode (UTF-32, a label it does not know) is shown
 * as UTF-8; the server decides for real.
 */
export function decodeHead(bytes: Uint8Array, encoding?: string): { text: string; encoding: string } {
  const bom = detectBom(bytes);
  const body = bytes.subarray(bom?.length ?? 0);
  const label = bom?.encoding ?? (encoding && encoding.toLowerCase() !== "auto" ? encoding : "utf-8");
  // `stream: true` holds back an incomplete last character instead of decoding it as U+FFFD.
  try {
    return { text: new TextDecoder(label, { ignoreBOM: true }).decode(body, { stream: true }), encoding: label.toLowerCase() };
  } catch {
    return { text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(body, { stream: true }), encoding: "utf-8" };
  }
}

/** The first 64 KiB of a file as text, decoded as the server will. */
export async function readHeadText(file: File, encoding?: string): Promise<HeadText> {
  const bytes = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  return { ...decodeHead(bytes, encoding), truncated: file.size > PREVIEW_BYTES };
}

/** The header row and the first 10 data rows, split with the detected (or chosen) delimiter. */
export function parsePreview(head: HeadText, opts: { delimiter?: string; header: boolean }): CsvPreview {
  let text = head.text;
  if (head.truncated) {
    // The 64 KiB cut usually lands mid-row; drop that partial last line.
    const cut = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    if (cut > 0) text = text.slice(0, cut);
  }
  // The server's detection rules over the same head (the cut last record is ignored by them).
  const delimiter = opts.delimiter ?? detectDelimiter(head.text);
  const result = Papa.parse<string[]>(text, { preview: PREVIEW_ROWS + 1, delimiter, skipEmptyLines: true });
  const all = result.data;
  const width = all.reduce((n, row) => Math.max(n, row.length), 0);
  const headers = opts.header ? (all[0] ?? []) : Array.from({ length: width }, (_, i) => `column_${i + 1}`);
  const rows = (opts.header ? all.slice(1) : all).slice(0, PREVIEW_ROWS);
  let names: string[];
  try {
    names = opts.header ? normalizeHeaders(headers).map((h) => h.name) : headers;
  } catch {
    names = headers.map(() => "");
  }
  const warnings = Array.from(new Set(result.errors.map((e) => e.message))).slice(0, 3);
  return { delimiter, detected: !opts.delimiter, headers, names, rows, warnings };
}
