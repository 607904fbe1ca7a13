// How a CSV file is written, as far as its first bytes tell: byte-order mark, delimiter and line
// ending. Pure and free of Node APIs, so the browser's preview before an upload (app/(app)/
// datasets/new) follows the very rules the server's sniff (./sniff.ts) applies to the stored file.

export type LineEnding = "\r\n" | "\n" | "\r";

/** The delimiters detection chooses among, in the order ties go. */
export const DELIMITER_CANDIDATES = [",", ";", "\t", "|"] as const;
const SAMPLE_RECORDS = 50;

export interface Bom {
  encoding: "utf-8" | "utf-16le" | "utf-16be" | "utf-32le" | "utf-32be";
  length: number;
}

/**
 * A byte-order mark is the only encoding signal a file carries about itself, so it is read first.
 * UTF-32LE is tested before UTF-16LE because its mark begins with the UTF-16LE one.
 */
export function detectBom(head: Uint8Array): Bom | null {
  const [a, b, c, d] = head;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: "utf-8", length: 3 };
  if (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) return { encoding: "utf-32le", length: 4 };
  if (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff) return { encoding: "utf-32be", length: 4 };
  if (a === 0xff && b === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: "utf-16be", length: 2 };
  return null;
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
  for (const cand of DELIMITER_CANDIDATES) {
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
