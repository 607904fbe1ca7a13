import { isUtf8 } from "node:buffer";
import Papa from "papaparse";
import { incompleteUtf8Tail } from "./encoding";

/**
 * The fast path of a load: UTF-8 bytes in, bytes for `COPY … (FORMAT csv)` out, in one pass.
 *
 * PostgreSQL's own CSV parser is the fastest one we can use, so the bytes go to it almost as
 * they are. This scanner walks them once (no strings, no per-field objects) to do what COPY
 * cannot:
 *  - prefix every record with its physical line number (the `_rb_line` column), so errors and
 *    skipped rows elsewhere can still name lines;
 *  - normalise record terminators to LF and drop blank lines (COPY insists on one line-ending
 *    style per file and reads a blank line as a record);
 *  - take the header record out, handing its fields back;
 *  - show each value of a column whose type is still open to `onValue`, for type inference.
 *
 * It refuses (throws FastPathUnsupported) anything where COPY would read the file differently
 * from the exact parser (lib/csv/parse.ts), or where that parser has a precise error to give:
 * a quote inside an unquoted field (COPY would open a quoted section there), text after a
 * closing quote, ragged rows, an unterminated quote, oversized fields, invalid UTF-8, NUL.
 * The caller then loads the file through the exact parser instead, which either loads it or
 * reports the problem with its line and column. Well-formed files — nearly all of them — never
 * leave the fast path.
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;

export class FastPathUnsupported extends Error {
  constructor(readonly reason: string) {
    super(`fast path not applicable: ${reason}`);
    this.name = "FastPathUnsupported";
  }
}

export interface CopyScanOptions {
  delimiter: string;
  /** The first record is the header: returned through header(), not emitted. */
  header: boolean;
  maxFieldBytes: number;
  /**
   * Called for each non-empty value of a column for which `wantsColumn(i)` is true, with the
   * value as a latin1 string of its UTF-8 bytes (exact for ASCII, which every typed value is;
   * anything else reads as text either way). Quoted values that contain a quote are passed as
   * `"` (never a typed value).
   */
  onValue?: (column: number, value: string) => void;
  wantsColumn?: (column: number) => boolean;
}

export interface CopyScanner {
  /** Bytes ready for COPY from this chunk (possibly empty). */
  push(chunk: Buffer): Buffer;
  /** End of input: the rest, or a throw if the file ends inside a quoted field. */
  end(): Buffer;
  /** Raw header values once the header record is complete (header: true), else null. */
  header(): string[] | null;
  /** Fields per record, known after the first record; -1 before. */
  columnCount(): number;
  /** Data records emitted so far. */
  rows(): number;
}

// Longest value worth classifying across a chunk boundary: longer ones are text or a
// numeric so long that calling it text loses nothing a user would miss.
const MAX_CARRIED_VALUE = 1024;

export function createCopyScanner(opts: CopyScanOptions): CopyScanner {
  if (opts.delimiter.length !== 1 || /["\r\n]/.test(opts.delimiter)) {
    throw new FastPathUnsupported(`delimiter ${JSON.stringify(opts.delimiter)}`);
  }
  const DELIM = opts.delimiter.charCodeAt(0);
  const { maxFieldBytes, onValue } = opts;
  const wants = opts.wantsColumn ?? (() => false);

  // Parser state that survives chunk boundaries.
  let line = 1; // physical line of the next byte
  let prevCR = false;
  let inQuotes = false;
  let afterQuote = false;
  let atRecordStart = true;
  let atFieldStart = true;
  let fieldQuoted = false;
  let fieldEscapedQuote = false;
  let field = 0;
  let expected = -1;
  let rows = 0;
  let inHeader = opts.header;
  let headerBytes: Buffer[] = [];
  let headerValues: string[] | null = null;
  let fieldCarry: Buffer[] = []; // bytes of the current field from earlier chunks (open columns)
  let fieldCarryBytes = 0; // all bytes of the current field from earlier chunks
  let utf8Carry: Buffer | null = null;

  // Output: the chunk's bytes with line-number prefixes spliced in; a new buffer per chunk, so
  // what push() returned stays valid while COPY still holds it.
  let out = Buffer.allocUnsafe(0);
  let pos = 0;
  const ensure = (n: number) => {
    if (pos + n <= out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(out.length * 2, pos + n, 64 * 1024));
    out.copy(grown, 0, 0, pos);
    out = grown;
  };
  const copyOut = (src: Buffer, from: number, to: number) => {
    if (to <= from) return;
    ensure(to - from);
    src.copy(out, pos, from, to);
    pos += to - from;
  };
  const writeLinePrefix = (n: number) => {
    ensure(24);
    const start = pos;
    do {
      out[pos++] = ZERO + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    out.subarray(start, pos).reverse();
    out[pos++] = DELIM;
  };

  function endField(chunk: Buffer, start: number, end: number): void {
    const bytes = fieldCarryBytes + (end - start);
    if (bytes > maxFieldBytes) throw new FastPathUnsupported("field too large");
    if (inHeader || expected !== -1 && field >= expected) return;
    if (!onValue || !wants(field)) return;
    let value: string;
    if (fieldEscapedQuote) {
      value = '"';
    } else {
      let from = start;
      let to = end;
      if (fieldCarryBytes > 0) {
        if (fieldCarryBytes > MAX_CARRIED_VALUE) {
          onValue(field, '"'); // too long for any typed value we infer: text
          return;
        }
        const whole = Buffer.concat([...fieldCarry, chunk.subarray(start, end)]);
        from = fieldQuoted ? 1 : 0;
        to = whole.length - (fieldQuoted ? 1 : 0);
        if (to > from) onValue(field, whole.toString("latin1", from, to));
        return;
      }
      if (fieldQuoted) {
        from++;
        to--;
      }
      if (to <= from) return; // empty (quoted or not): NULL
      value = chunk.toString("latin1", from, to);
    }
    onValue(field, value);
  }

  function resetField(): void {
    atFieldStart = true;
    fieldQuoted = false;
    fieldEscapedQuote = false;
    if (fieldCarry.length) fieldCarry = [];
    fieldCarryBytes = 0;
  }

  function endRecord(): void {
    const count = field + 1;
    if (inHeader) {
      inHeader = false;
      const text = Buffer.concat(headerBytes).toString("utf8");
      headerBytes = [];
      const parsed = Papa.parse<string[]>(text, { delimiter: opts.delimiter, newline: "\n", quoteChar: '"' });
      headerValues = parsed.data[0] ?? [];
      if (headerValues.length !== count) throw new FastPathUnsupported("header not understood");
      expected = count;
    } else {
      if (expected === -1) expected = count;
      else if (count !== expected) throw new FastPathUnsupported("ragged row");
      rows++;
    }
    field = 0;
    atRecordStart = true;
    resetField();
  }

  function checkUtf8(chunk: Buffer): Buffer {
    let data = chunk;
    if (utf8Carry) {
      data = Buffer.concat([utf8Carry, chunk]);
      utf8Carry = null;
    }
    const tail = incompleteUtf8Tail(data);
    const usable = tail ? data.subarray(0, data.length - tail) : data;
    if (tail) utf8Carry = Buffer.from(data.subarray(data.length - tail));
    if (!isUtf8(usable)) throw new FastPathUnsupported("invalid UTF-8");
    if (usable.indexOf(0) !== -1) throw new FastPathUnsupported("NUL byte");
    return usable;
  }

  function scan(chunk: Buffer): Buffer {
    pos = 0;
    out = Buffer.allocUnsafe(chunk.length + (chunk.length >> 3) + 4096);
    const n = chunk.length;
    let cut = 0; // next byte of this chunk not yet copied out (or dropped)
    let fieldStart = 0;
    let i = 0;
    const headerKeep = () => {
      if (inHeader && i > cut) headerBytes.push(Buffer.from(chunk.subarray(cut, i)));
    };

    while (i < n) {
      let c = chunk[i];
      if (inQuotes) {
        const q = chunk.indexOf(QUOTE, i);
        const stop = q === -1 ? n : q;
        // Line breaks inside quotes are data, but they still move the physical line.
        for (let k = i; k < stop; k++) {
          const b = chunk[k];
          if (b === LF) {
            if (!prevCR) line++;
            prevCR = false;
          } else if (b === CR) {
            line++;
            prevCR = true;
          } else prevCR = false;
        }
        if (q === -1) {
          i = n;
          break;
        }
        inQuotes = false;
        afterQuote = true;
        prevCR = false;
        i = q + 1;
        continue;
      }
      if (afterQuote) {
        afterQuote = false;
        if (c === QUOTE) {
          inQuotes = true;
          fieldEscapedQuote = true;
          i++;
          continue;
        }
        if (c !== DELIM && c !== LF && c !== CR) throw new FastPathUnsupported("text after a closing quote");
      }
      if (c === LF || c === CR) {
        if (c === LF && prevCR) {
          // The LF of a CRLF whose CR ended a record (or a blank line): already handled.
          prevCR = false;
          if (cut === i) cut = i + 1;
          i++;
          continue;
        }
        line++;
        prevCR = c === CR;
        if (atRecordStart) {
          // A blank line: not a record. Drop it from the output.
          copyOut(chunk, cut, i);
          cut = i + 1;
          i++;
          continue;
        }
        endField(chunk, fieldStart, i);
        if (inHeader) {
          headerKeep();
          cut = i + 1;
        } else {
          copyOut(chunk, cut, i);
          ensure(1);
          out[pos++] = LF;
          cut = i + 1;
        }
        endRecord();
        i++;
        continue;
      }
      prevCR = false;
      if (atRecordStart) {
        atRecordStart = false;
        if (!inHeader) {
          copyOut(chunk, cut, i);
          cut = i;
          writeLinePrefix(line);
        }
      }
      if (c === DELIM) {
        endField(chunk, atFieldStart ? i : fieldStart, i);
        field++;
        resetField();
        fieldStart = i + 1;
        i++;
        continue;
      }
      if (atFieldStart) {
        atFieldStart = false;
        fieldStart = i;
        if (c === QUOTE) {
          fieldQuoted = true;
          inQuotes = true;
          i++;
          continue;
        }
      }
      // An unquoted field: run to its end. A quote here is data to us but opens a quoted
      // section for COPY, so such a file takes the exact parser.
      for (; i < n; i++) {
        c = chunk[i];
        if (c === DELIM || c === LF || c === CR) break;
        if (c === QUOTE) throw new FastPathUnsupported("quote inside an unquoted field");
      }
    }

    // The chunk ends inside a record: keep what a later chunk needs.
    if (!atRecordStart) {
      if (!atFieldStart || inQuotes || afterQuote) {
        const from = fieldStart;
        if (fieldCarryBytes + (n - from) > maxFieldBytes) throw new FastPathUnsupported("field too large");
        if (fieldCarryBytes + (n - from) <= MAX_CARRIED_VALUE && !inHeader) fieldCarry.push(Buffer.from(chunk.subarray(from, n)));
        fieldCarryBytes += n - from;
      }
    }
    if (inHeader) {
      headerKeep();
      cut = n;
    }
    copyOut(chunk, cut, n);
    return out.subarray(0, pos);
  }

  return {
    push(chunk: Buffer): Buffer {
      const data = checkUtf8(chunk);
      return data.length ? scan(data) : Buffer.alloc(0);
    },
    end(): Buffer {
      if (utf8Carry) throw new FastPathUnsupported("file ends inside a UTF-8 character");
      if (inQuotes) throw new FastPathUnsupported("unterminated quote");
      pos = 0;
      out = Buffer.allocUnsafe(64);
      if (!atRecordStart) {
        afterQuote = false;
        endField(Buffer.alloc(0), 0, 0);
        if (!inHeader) {
          ensure(1);
          out[pos++] = LF;
        }
        endRecord();
      }
      return out.subarray(0, pos);
    },
    header: () => headerValues,
    columnCount: () => expected,
    rows: () => rows,
  };
}
