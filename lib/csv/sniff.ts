import iconv from "iconv-lite";
import { checkBinaryBytes, checkBinaryText, checkMagic } from "./binary";
import {
  detectBom,
  findInvalidUtf8,
  incompleteUtf8Tail,
  invalidUtf8Error,
  isWideEncoding,
  resolveEncodingLabel,
} from "./encoding";

export type LineEnding = "\r\n" | "\n" | "\r";

export interface SniffResult {
  /** "utf-8", "utf-16le", … or the validated label the user chose; pass to createDecoderStream. */
  encoding: string;
  /** Where the encoding came from: a BOM beats the user's choice, which beats detection. */
  encodingSource: "bom" | "option" | "detected";
  /** Bytes of byte-order mark to skip; pass to createDecoderStream. */
  bomLength: number;
  delimiter: string;
  /** The most common record terminator in the head. */
  lineEnding: LineEnding;
  /** The decoded head without BOM, cut at the last complete character (for previews). */
  text: string;
}

const CANDIDATES = [",", ";", "\t", "|"] as const;
const SAMPLE_RECORDS = 50;

/**
 * Works out how to read a file from its first chunk. Order matters: binary checks run on raw
 * bytes before any decoding, so an image is reported as an image and not as bad UTF-8.
 * The head may end mid-character or mid-record; both are tolerated here, and the decoder and
 * parser check the real end of file.
 */
export function sniffBytes(head: Buffer, opts: { encoding?: string } = {}): SniffResult {
  checkMagic(head);
  const bom = detectBom(head);
  const chosen = opts.encoding === undefined ? undefined : resolveEncodingLabel(opts.encoding);

  // A BOM cannot appear by accident, so it overrides a choice made without seeing it.
  const encoding = bom?.encoding ?? chosen ?? "utf-8";
  const encodingSource = bom ? "bom" : chosen ? "option" : "detected";
  const bomLength = bom?.length ?? 0;

  let text: string;
  if (isWideEncoding(encoding)) {
    text = iconv.getDecoder(encoding, { stripBOM: false }).write(head.subarray(bomLength));
    checkBinaryText(text);
  } else {
    checkBinaryBytes(head, bomLength);
    if (encoding === "utf-8") {
      const bad = findInvalidUtf8(head, bomLength, head.length, true);
      if (bad !== -1) throw invalidUtf8Error(bad, chosen === "utf-8");
      text = head.toString("utf8", bomLength, head.length - incompleteUtf8Tail(head));
    } else {
      // No end() call: a multi-byte character cut off by the end of the head is dropped.
      text = iconv.getDecoder(encoding, { stripBOM: false }).write(head.subarray(bomLength));
    }
  }

  const delimiter = detectDelimiter(text);
  const lineEnding = detectLineEnding(text, delimiter);
  return { encoding, encodingSource, bomLength, delimiter, lineEnding, text };
}

interface HeadScan {
  fieldCounts: number[];
  endings: { crlf: number; lf: number; cr: number };
}

/**
 * A minimal quote-aware pass over the head: per record, the number of fields under a given
 * delimiter. Delimiters inside quotes must not count, and a quote only opens a field at its
 * start, which depends on the delimiter, hence one pass per candidate.
 * The last record is dropped when the head does not end with a line break: it is probably cut.
 */
function scanHead(text: string, delim: number, maxRecords: number): HeadScan {
  const counts: number[] = [];
  const endings = { crlf: 0, lf: 0, cr: 0 };
  let inQuotes = false;
  let fieldStart = true;
  let fields = 1;
  let recordHasContent = false;
  for (let i = 0; i < text.length && counts.length < maxRecords; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x22) {
        if (text.charCodeAt(i + 1) === 0x22) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (c === 0x0a || c === 0x0d) {
      const crlf = c === 0x0d && text.charCodeAt(i + 1) === 0x0a;
      if (crlf) i++;
      if (recordHasContent) {
        counts.push(fields);
        if (crlf) endings.crlf++;
        else if (c === 0x0a) endings.lf++;
        else endings.cr++;
      }
      fields = 1;
      fieldStart = true;
      recordHasContent = false;
      continue;
    }
    recordHasContent = true;
    if (c === delim) {
      fields++;
      fieldStart = true;
    } else {
      if (c === 0x22 && fieldStart) inQuotes = true;
      fieldStart = false;
    }
  }
  // A head with a single unterminated record is the whole file or all we have: keep it.
  if (recordHasContent && counts.length === 0) counts.push(fields);
  return { fieldCounts: counts, endings };
}

/**
 * Picks the delimiter giving the most consistent field count across the first records.
 * Score: share of records whose count equals the most common count, among candidates whose
 * most common count is at least 2 (the delimiter actually occurs). Ties go to more fields,
 * then to the order , ; tab |. Without any candidate, "," (a one-column file).
 */
export function detectDelimiter(text: string): string {
  let best = ",";
  let bestScore = 0;
  let bestFields = 0;
  for (const cand of CANDIDATES) {
    const { fieldCounts } = scanHead(text, cand.charCodeAt(0), SAMPLE_RECORDS);
    if (fieldCounts.length === 0) continue;
    const freq = new Map<number, number>();
    for (const n of fieldCounts) freq.set(n, (freq.get(n) ?? 0) + 1);
    let mode = 0;
    let modeCount = 0;
    for (const [n, count] of freq) {
      if (count > modeCount || (count === modeCount && n > mode)) {
        mode = n;
        modeCount = count;
      }
    }
    if (mode < 2) continue;
    const score = modeCount / fieldCounts.length;
    if (score > bestScore || (score === bestScore && mode > bestFields)) {
      best = cand;
      bestScore = score;
      bestFields = mode;
    }
  }
  return best;
}

/** Most frequent record terminator outside quotes; "\n" when the head has none. */
export function detectLineEnding(text: string, delimiter = ","): LineEnding {
  const { endings } = scanHead(text, delimiter.charCodeAt(0), SAMPLE_RECORDS);
  if (endings.crlf === 0 && endings.lf === 0 && endings.cr === 0) return "\n";
  if (endings.crlf >= endings.lf && endings.crlf >= endings.cr) return "\r\n";
  return endings.lf >= endings.cr ? "\n" : "\r";
}
