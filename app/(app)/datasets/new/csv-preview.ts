import Papa from "papaparse";
import { normalizeHeaders } from "@/lib/csv/headers";

export const PREVIEW_BYTES = 64 * 1024;
export const PREVIEW_ROWS = 10;

export type HeadText = { text: string; truncated: boolean };

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

function bomEncoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  return null;
}

/** The first 64 KB of a file as text, decoded as the server will (a BOM wins over the choice). */
export async function readHeadText(file: File, encoding?: string): Promise<HeadText> {
  const bytes = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  const chosen = encoding && encoding.toLowerCase() !== "auto" ? encoding : "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(bomEncoding(bytes) ?? chosen);
  } catch {
    decoder = new TextDecoder("utf-8");
  }
  return { text: decoder.decode(bytes), truncated: file.size > PREVIEW_BYTES };
}

/** Parses the head with papaparse: the header row and the first 10 data rows. */
export function parsePreview(head: HeadText, opts: { delimiter?: string; header: boolean }): CsvPreview {
  let text = head.text;
  if (head.truncated) {
    // The 64 KB cut usually lands mid-row; drop that partial last line.
    const cut = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    if (cut > 0) text = text.slice(0, cut);
  }
  const result = Papa.parse<string[]>(text, {
    preview: PREVIEW_ROWS + 1,
    delimiter: opts.delimiter ?? "",
    delimitersToGuess: [",", ";", "\t", "|"],
    skipEmptyLines: true,
  });
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
  const warnings = Array.from(new Set(result.errors.filter((e) => e.code !== "UndetectableDelimiter").map((e) => e.message))).slice(0, 3);
  return { delimiter: result.meta.delimiter, detected: !opts.delimiter, headers, names, rows, warnings };
}
