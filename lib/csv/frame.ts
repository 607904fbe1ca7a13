import { CsvFormatError, formatCount } from "./errors";

/**
 * Splits decoded text into complete records, chunk by chunk, before papaparse sees it.
 *
 * papaparse's core parser splits fields and unescapes quotes well, but on its own it cannot:
 *  - handle mixed line endings (it takes a single newline sequence per parse);
 *  - tell the physical line a record starts on (meta.cursor is a character index);
 *  - bound memory on a huge field (its streamer re-parses the whole partial record each chunk,
 *    which is also quadratic);
 *  - say where a quote went wrong (it is lenient: after `"a"b` it looks for the next quote, so
 *    one stray quote can swallow the rest of the file into a single field).
 * So this small state machine walks every character once, knows the quote state, the line
 * and the field, and hands papaparse only whole records joined by "\n". Quoted line breaks
 * are kept exactly as written.
 *
 * Rules (RFC 4180, strict about quotes, lenient about line endings):
 *  - a record ends at CRLF, LF or CR outside quotes; empty lines are not records;
 *  - a quote opens a quoted field only as the field's first character; elsewhere it is data;
 *  - inside quotes, "" is a quote; a closing quote must be followed by the delimiter, a line
 *    break or the end of input, otherwise the file is ambiguous and we stop ("bad_quote").
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface FramedRecord {
  /** Record text without its terminator. */
  text: string;
  /** 1-based physical line where the record starts. */
  line: number;
}

export interface FrameOptions {
  delimiter: string;
  maxFieldBytes: number;
  maxRecordBytes: number;
  /** Physical line of the first character (preamble lines were skipped before it). Default 1. */
  firstLine?: number;
}

export interface PushResult {
  records: FramedRecord[];
  error: CsvFormatError | null;
}

export interface Framer {
  /** Complete records found in this chunk, and an error that stopped the scan, if any.
   *  Records before the error are returned so the caller reports problems in file order. */
  push(chunk: string): PushResult;
  /** End of input: the last record if it had no terminator, or an error. */
  end(): PushResult;
}

interface State {
  line: number; // physical line of the next character
  prev: number; // previous character, to count CRLF once
  inQuotes: boolean;
  afterQuote: boolean; // saw a quote inside quotes; the next character decides
  skipLF: boolean; // the last record ended with CR; an LF right after belongs to it
  recOpen: boolean;
  recLine: number;
  field: number; // 0-based field index in the current record
  atFieldStart: boolean;
  quoteLine: number;
  quoteField: number;
  parts: string[]; // pieces of the current record from earlier chunks
  carriedFieldBytes: number; // bytes of the current field in earlier chunks
  carriedRecordBytes: number;
}

export function createFramer(opts: FrameOptions): Framer {
  if (opts.delimiter.length !== 1 || /["\r\n]/.test(opts.delimiter)) {
    throw new Error(`Unsupported delimiter ${JSON.stringify(opts.delimiter)}`);
  }
  const delim = opts.delimiter.charCodeAt(0);
  const { maxFieldBytes, maxRecordBytes } = opts;
  // Below this many UTF-16 units a field cannot reach maxFieldBytes (3 bytes per unit at most),
  // so the exact byte count is only taken for suspiciously long fields.
  const fieldUnitsCheap = Math.floor(maxFieldBytes / 3);
  const st: State = {
    line: opts.firstLine ?? 1,
    prev: 0,
    inQuotes: false,
    afterQuote: false,
    skipLF: false,
    recOpen: false,
    recLine: 1,
    field: 0,
    atFieldStart: true,
    quoteLine: 0,
    quoteField: 0,
    parts: [],
    carriedFieldBytes: 0,
    carriedRecordBytes: 0,
  };

  const tooLarge = (line: number, column: number, openQuoteLine: number): CsvFormatError =>
    new CsvFormatError(
      "field_too_large",
      `Line ${line}, column ${column}: a field is larger than ${formatSize(maxFieldBytes)}.` +
        (openQuoteLine ? ` It starts with a quote on line ${openQuoteLine}; check that the quote is closed.` : ""),
      { line, column },
    );

  /** Exact check for a field that ended at `end`, or null if it fits. */
  function checkField(s: string, start: number, end: number, carried: number): boolean {
    return carried + Buffer.byteLength(s.slice(start, end)) > maxFieldBytes;
  }

  // The hot loop works on locals and writes them back once per chunk: closure variables cost a
  // context load/store per access, which made this loop as slow as papaparse itself.
  function push(s: string): PushResult {
    const records: FramedRecord[] = [];
    const n = s.length;
    let { line, prev, inQuotes, afterQuote, skipLF, recOpen, recLine, field, atFieldStart } = st;
    let recStart = 0;
    let fieldStart = 0;
    // Bytes of the current field seen in earlier chunks; 0 when the field began in this one.
    let carried = recOpen && !atFieldStart ? st.carriedFieldBytes : 0;
    let error: CsvFormatError | null = null;

    let i = 0;
    scan: for (; i < n; i++) {
      let c = s.charCodeAt(i);
      if (inQuotes) {
        // Run to the next quote, counting line breaks on the way.
        for (; ; c = s.charCodeAt(++i)) {
          if (c === QUOTE) break;
          if (c === CR || (c === LF && prev !== CR)) line++;
          prev = c;
          if (i + 1 >= n) break scan;
        }
        inQuotes = false;
        afterQuote = true;
        prev = c;
        continue;
      }
      if (afterQuote) {
        afterQuote = false;
        if (c === QUOTE) {
          inQuotes = true; // "" inside a quoted field
          prev = c;
          continue;
        }
        if (c !== delim && c !== LF && c !== CR) {
          error = new CsvFormatError(
            "bad_quote",
            `Line ${line}, column ${field + 1}: unexpected text after a closing quote. ` +
              `A quote inside a quoted field must be doubled ("").`,
            { line, column: field + 1 },
          );
          break;
        }
      }
      if (c === delim) {
        if (!recOpen) {
          recOpen = true;
          recLine = line;
          recStart = fieldStart = i;
        }
        if ((carried > 0 || i - fieldStart > fieldUnitsCheap) && checkField(s, fieldStart, i, carried)) {
          error = tooLarge(recLine, field + 1, 0);
          break;
        }
        field++;
        fieldStart = i + 1;
        carried = 0;
        atFieldStart = true;
        skipLF = false;
      } else if (c === LF || c === CR) {
        if (c === LF && skipLF) {
          skipLF = false;
          prev = c;
          continue;
        }
        if (recOpen) {
          if ((carried > 0 || i - fieldStart > fieldUnitsCheap) && checkField(s, fieldStart, i, carried)) {
            error = tooLarge(recLine, field + 1, 0);
            break;
          }
          const tail = s.slice(recStart, i);
          records.push({ text: st.parts.length ? st.parts.join("") + tail : tail, line: recLine });
          st.parts = [];
          st.carriedRecordBytes = 0;
          recOpen = false;
        }
        if (c === CR || prev !== CR) line++;
        skipLF = c === CR;
        field = 0;
        carried = 0;
        atFieldStart = true;
      } else {
        if (!recOpen) {
          recOpen = true;
          recLine = line;
          recStart = fieldStart = i;
        }
        skipLF = false;
        if (c === QUOTE && atFieldStart) {
          inQuotes = true;
          st.quoteLine = line;
          st.quoteField = field;
          atFieldStart = false;
          prev = c;
          continue;
        }
        atFieldStart = false;
        // Run to the end of this unquoted field; quotes inside it are plain data.
        while (i + 1 < n) {
          const d = s.charCodeAt(i + 1);
          if (d === delim || d === LF || d === CR) break;
          i++;
        }
        c = s.charCodeAt(i);
      }
      prev = c;
    }

    Object.assign(st, { line, prev, inQuotes, afterQuote, skipLF, recOpen, recLine, field, atFieldStart });
    if (error || !recOpen) return { records, error };

    // The record continues in the next chunk: keep its text and check the limits now, so an
    // endless field fails after one chunk too many instead of after the whole file.
    const piece = s.slice(recStart);
    st.parts.push(piece);
    st.carriedRecordBytes += Buffer.byteLength(piece);
    st.carriedFieldBytes = atFieldStart ? 0 : carried + Buffer.byteLength(s.slice(fieldStart));
    if (st.carriedFieldBytes > maxFieldBytes) {
      return { records, error: tooLarge(recLine, field + 1, inQuotes ? st.quoteLine : 0) };
    }
    if (st.carriedRecordBytes > maxRecordBytes) {
      const message = `Line ${recLine}: a record is larger than ${formatSize(maxRecordBytes)}.`;
      return { records, error: new CsvFormatError("record_too_large", message, { line: recLine }) };
    }
    return { records, error: null };
  }

  function end(): PushResult {
    if (st.inQuotes) {
      const { quoteLine, quoteField } = st;
      const error = new CsvFormatError(
        "unterminated_quote",
        `Line ${quoteLine}, column ${quoteField + 1}: a quoted field is never closed (the file ends inside it).`,
        { line: quoteLine, column: quoteField + 1 },
      );
      return { records: [], error };
    }
    if (!st.recOpen) return { records: [], error: null };
    st.recOpen = false;
    const text = st.parts.join("");
    st.parts = [];
    return { records: [{ text, line: st.recLine }], error: null };
  }

  return { push, end };
}

function formatSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${formatCount(mib)} MiB` : `${formatCount(bytes)} bytes`;
}
