import { isUtf8 } from "node:buffer";
import iconv from "iconv-lite";
import Papa from "papaparse";
import { incompleteUtf8Tail } from "./encoding";
import { nativeScanRecords } from "./native-scan";

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
   * Columns whose values the caller wants to see (1 = yes), indexed by column; the caller may
   * clear an entry at any time (e.g. when a column's type can only be text any more).
   */
  wanted?: Uint8Array;
  /**
   * Each non-empty value of a wanted column, as bytes v[s..e) of the file (quotes removed).
   * A quoted value that contains a quote comes as the single byte `"` (never a typed value).
   */
  onValue?: (column: number, v: Buffer, s: number, e: number) => void;
  /**
   * Set when values are wanted for type inference only (no other checks): the inferrer's
   * per-column kinds (TypeInferrer.masks). The native record scanner, where it is built, then
   * classifies values itself, adding to these kinds and clearing `wanted` for a column that
   * became text, exactly as onValue with observeBytes does.
   */
  inferenceMasks?: Uint8Array;
  /**
   * False: the TypeScript scanner alone, even where the native one is built and enabled (the
   * tests compare the two). Default: the native scanner when nativeScanRecords() offers it.
   */
  useNative?: boolean;
  /** Physical line number of the first byte (preamble lines were skipped before it). Default 1. */
  firstLine?: number;
  /**
   * The file is in this single-byte encoding (ISO-8859-1, windows-1252, …) rather than UTF-8:
   * no UTF-8 check, and the header is decoded with it. COPY converts the data itself (its
   * ENCODING option). Every typed form is ASCII, so classifying bytes works the same.
   */
  singleByteEncoding?: string;
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
  /**
   * Where the last record that ended in the buffer just returned by push() or end() ends in it
   * (the offset after its LF), or -1 if none did: what comes before can go to COPY on its own.
   */
  recordEnd(): number;
  /** Of rows(), how many the native record scanner took (0: the TypeScript scanner did all). */
  nativeRows(): number;
}

// Longest value worth classifying across a chunk boundary: longer ones are text or a
// numeric so long that calling it text loses nothing a user would miss.
const MAX_CARRIED_VALUE = 1024;
const A_QUOTE = Buffer.from('"');
const NONE = new Uint8Array(0);

/**
 * The scanner's state between chunks. The hot loop copies it into locals and writes it back
 * once per chunk: closure and object slots cost a memory access each, which in a loop over
 * every byte of the file is most of the time.
 */
type ScanState = {
  line: number; // physical line of the next byte
  prevCR: boolean;
  inQuotes: boolean;
  afterQuote: boolean;
  atRecordStart: boolean;
  atFieldStart: boolean;
  fieldQuoted: boolean;
  fieldEscapedQuote: boolean;
  field: number;
  fieldCarryBytes: number; // bytes of the current field in earlier chunks
};

/**
 * `out` with room for `need` more bytes after `pos`. A plain function, not a closure in scan():
 * a closure over `out` and `pos` would move them out of registers for the whole hot loop.
 */
function grown(out: Buffer, pos: number, need: number): Buffer {
  if (pos + need <= out.length) return out;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, pos + need));
  out.copy(bigger, 0, 0, pos);
  return bigger;
}

/** Digits of a line number (comparisons: no division). */
function decimalDigits(v: number): number {
  if (v < 1e4) return v < 10 ? 1 : v < 100 ? 2 : v < 1e3 ? 3 : 4;
  if (v < 1e8) return v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : 8;
  let d = 9;
  for (let p = 1e9; v >= p; p *= 10) d++;
  return d;
}

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at === -1 ? chunk.length : at;
}

export function createCopyScanner(opts: CopyScanOptions): CopyScanner {
  if (opts.delimiter.length !== 1 || /["\r\n]/.test(opts.delimiter)) {
    throw new FastPathUnsupported(`delimiter ${JSON.stringify(opts.delimiter)}`);
  }
  const DELIM = opts.delimiter.charCodeAt(0);
  // Bytes that end or break an unquoted field: one table load per byte in the hottest loop.
  const SPECIAL = new Uint8Array(256);
  for (const b of [DELIM, LF, CR, QUOTE]) SPECIAL[b] = 1;
  const { maxFieldBytes } = opts;
  const onValue = opts.onValue ?? (() => {});
  const wanted = opts.onValue ? (opts.wanted ?? NONE) : NONE;
  const native = opts.useNative !== false && (opts.inferenceMasks || !opts.onValue) ? nativeScanRecords() : null;
  const masks = opts.inferenceMasks ?? NONE;
  const nativeState = new Float64Array(6);

  const st: ScanState = {
    line: opts.firstLine ?? 1,
    prevCR: false,
    inQuotes: false,
    afterQuote: false,
    atRecordStart: true,
    atFieldStart: true,
    fieldQuoted: false,
    fieldEscapedQuote: false,
    field: 0,
    fieldCarryBytes: 0,
  };
  let expected = -1;
  let rows = 0;
  let nativeRows = 0;
  let inHeader = opts.header;
  let headerBytes: Buffer[] = [];
  let headerValues: string[] | null = null;
  let fieldCarry: Buffer[] = []; // bytes of the current field from earlier chunks, if wanted
  let utf8Carry: Buffer | null = null;
  let recordEndOut = -1;

  /** A wanted value that began in an earlier chunk. */
  function carriedValue(column: number, chunk: Buffer, end: number, quoted: boolean): void {
    if (st.fieldCarryBytes + end > MAX_CARRIED_VALUE) return onValue(column, A_QUOTE, 0, 1);
    const whole = Buffer.concat([...fieldCarry, chunk.subarray(0, end)]);
    const from = quoted ? 1 : 0;
    const to = whole.length - from;
    if (to > from) onValue(column, whole, from, to);
  }

  /** Ends a record: the header's fields are parsed, a data record's field count checked. */
  function endRecord(count: number): void {
    if (inHeader) {
      inHeader = false;
      const raw = Buffer.concat(headerBytes);
      const text = opts.singleByteEncoding ? iconv.decode(raw, opts.singleByteEncoding) : raw.toString("utf8");
      headerBytes = [];
      const parsed = Papa.parse<string[]>(text, { delimiter: opts.delimiter, newline: "\n", quoteChar: '"' });
      headerValues = parsed.data[0] ?? [];
      if (headerValues.length !== count) throw new FastPathUnsupported("header not understood");
      expected = count;
      return;
    }
    if (expected === -1) expected = count;
    else if (count !== expected) throw new FastPathUnsupported("ragged row");
    rows++;
  }

  function checkUtf8(chunk: Buffer): Buffer {
    if (opts.singleByteEncoding) {
      if (chunk.indexOf(0) !== -1) throw new FastPathUnsupported("NUL byte");
      return chunk;
    }
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
    const n = chunk.length;
    // Room for the chunk plus a line-number prefix per record; grown if a chunk of tiny
    // records needs more.
    let out: Buffer = Buffer.allocUnsafe(n + (n >> 2) + 64);
    let pos = 0;
    recordEndOut = -1;

    let { line, prevCR, inQuotes, afterQuote, atRecordStart, atFieldStart, fieldQuoted, fieldEscapedQuote, field, fieldCarryBytes } = st;
    let cut = 0; // next byte of this chunk not yet copied out (or dropped)
    let fieldStart = 0;
    let i = 0;
    // Where the next LF, quote and CR of this chunk are (n: none left), found by indexOf
    // (memchr) and refreshed only once passed: they tell a plain record at a glance.
    let nextLF = -1;
    let nextQuote = -1;
    let nextCR = -1;
    let nativeOn = native !== null;

    while (i < n) {
      let c = chunk[i]!;
      if (inQuotes) {
        const q = chunk.indexOf(QUOTE, i);
        const stop = q === -1 ? n : q;
        // Line breaks inside quotes are data, but they still move the physical line.
        for (let k = i; k < stop; k++) {
          const b = chunk[k]!;
          if (b > CR) {
            if (prevCR) prevCR = false;
          } else if (b === LF) {
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
      if (c === LF && prevCR) {
        // The LF of a CRLF whose CR ended a record or a blank line: already handled.
        prevCR = false;
        if (cut === i) cut = i + 1;
        i++;
        continue;
      }
      if (atRecordStart && nativeOn && !inHeader && !prevCR && expected > 0) {
        // The native scanner takes as many records from here as it can (see copy_scan.c).
        const state = nativeState;
        state[0] = i;
        state[1] = cut;
        state[2] = pos;
        state[3] = line;
        native!(chunk, out, wanted, masks, state, DELIM, expected, maxFieldBytes);
        if (state[0] === i) {
          // Not even one: a file of records it does not take (CRLF endings, say); TypeScript
          // does the rest of this chunk rather than asking again at every record.
          nativeOn = false;
        } else {
          i = state[0]!;
          cut = state[1]!;
          pos = state[2]!;
          line = state[3]!;
          fieldStart = i;
          rows += state[4]!;
          nativeRows += state[4]!;
          if (state[5]! >= 0) recordEndOut = state[5]!;
          if (i >= n) break;
          c = chunk[i]!;
        }
      }
      if (atRecordStart) {
        if (c === LF || c === CR) {
          // A blank line is not a record: drop it from the output.
          line++;
          prevCR = c === CR;
          if (cut < i) {
            if (pos + (i - cut) > out.length) out = grown(out, pos, i - cut);
            chunk.copy(out, pos, cut, i);
            pos += i - cut;
          }
          cut = ++i;
          continue;
        }
        atRecordStart = false;
        if (!inHeader) {
          // Splice in "<line><delimiter>": the _rb_line column.
          if (pos + (i - cut) + 24 > out.length) out = grown(out, pos, i - cut + 24);
          if (cut < i) {
            chunk.copy(out, pos, cut, i);
            pos += i - cut;
          }
          cut = i;
          let digits = line;
          pos += decimalDigits(line);
          for (let d = pos - 1; ; d--) {
            const rest = Math.floor(digits / 10);
            out[d] = ZERO + digits - rest * 10;
            digits = rest;
            if (digits === 0) break;
          }
          out[pos++] = DELIM;

          // The record fast path: a record that ends with LF in this chunk and has no CR
          // outside quotes — most records of most files — is walked field by field, with
          // indexOf (memchr) finding quotes and line breaks, and goes out byte for byte. Anything
          // else (the record runs past the chunk, a CR ending, a stray quote) leaves the block
          // with `break fast` and the byte-by-byte state machine below takes the record from
          // its first byte. Values shown to onValue before such a break are shown again; that
          // is harmless, as seeing a value twice tells inference nothing new.
          fast: {
            let k = i;
            let f = 0;
            let breaks = 0; // line breaks inside quoted values
            for (;;) {
              let e: number; // the byte after the field
              if (chunk[k] === QUOTE) {
                let s = k + 1;
                let escaped = false;
                let q: number;
                for (;;) {
                  if (nextQuote < s) nextQuote = indexOrEnd(chunk, QUOTE, s);
                  q = nextQuote;
                  if (q + 1 >= n) break fast;
                  if (nextLF < s) nextLF = indexOrEnd(chunk, LF, s);
                  while (nextLF < q) {
                    if (!(nextLF > s && chunk[nextLF - 1] === CR)) breaks++;
                    nextLF = indexOrEnd(chunk, LF, nextLF + 1);
                  }
                  if (nextCR < s) nextCR = indexOrEnd(chunk, CR, s);
                  while (nextCR < q) {
                    breaks++;
                    nextCR = indexOrEnd(chunk, CR, nextCR + 1);
                  }
                  if (chunk[q + 1] !== QUOTE) break;
                  escaped = true;
                  s = q + 2;
                }
                e = q + 1;
                if (q - k > maxFieldBytes) break fast;
                if (f < wanted.length && wanted[f] === 1) {
                  if (escaped) onValue(f, A_QUOTE, 0, 1);
                  else if (q > k + 1) onValue(f, chunk, k + 1, q);
                }
              } else {
                e = k;
                while (e < n && SPECIAL[chunk[e]!] === 0) e++;
                if (e >= n || e - k > maxFieldBytes) break fast;
                if (e > k && f < wanted.length && wanted[f] === 1) onValue(f, chunk, k, e);
              }
              f++;
              const t = chunk[e];
              if (t === DELIM) {
                k = e + 1;
                continue;
              }
              if (t !== LF) break fast; // CR ending, or text after a closing quote
              endRecord(f);
              line += 1 + breaks;
              i = e + 1;
              recordEndOut = pos + (i - cut); // its bytes go out as they are, from cut on
              fieldStart = i;
              atRecordStart = true;
              break;
            }
            continue;
          }
        }
      }
      prevCR = false;
      if (c === DELIM || c === LF || c === CR) {
        // The end of a field.
        if (fieldCarryBytes + (i - fieldStart) > maxFieldBytes) throw new FastPathUnsupported("field too large");
        if (!inHeader && field < wanted.length && wanted[field] === 1 && (!atFieldStart || fieldCarryBytes > 0)) {
          if (fieldEscapedQuote) onValue(field, A_QUOTE, 0, 1);
          else if (fieldCarryBytes > 0) carriedValue(field, chunk, i, fieldQuoted);
          else if (fieldQuoted) {
            if (i - fieldStart > 2) onValue(field, chunk, fieldStart + 1, i - 1);
          } else onValue(field, chunk, fieldStart, i);
        }
        atFieldStart = true;
        fieldQuoted = false;
        fieldEscapedQuote = false;
        if (fieldCarryBytes > 0) {
          fieldCarryBytes = 0;
          fieldCarry = [];
        }
        if (c === DELIM) {
          field++;
          fieldStart = ++i;
          continue;
        }
        // The end of a record.
        line++;
        prevCR = c === CR;
        if (inHeader) {
          if (i > cut) headerBytes.push(Buffer.from(chunk.subarray(cut, i)));
        } else {
          if (pos + (i - cut) + 1 > out.length) out = grown(out, pos, i - cut + 1);
          chunk.copy(out, pos, cut, i);
          pos += i - cut;
          out[pos++] = LF;
          recordEndOut = pos;
        }
        endRecord(field + 1);
        field = 0;
        atRecordStart = true;
        cut = ++i;
        fieldStart = i;
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
      while (i < n && SPECIAL[chunk[i]!] === 0) i++;
      if (i < n && chunk[i] === QUOTE) throw new FastPathUnsupported("quote inside an unquoted field");
    }

    // The chunk ends inside a field: keep what a later chunk needs.
    if (!atRecordStart && (!atFieldStart || inQuotes || afterQuote)) {
      const more = n - fieldStart;
      if (fieldCarryBytes + more > maxFieldBytes) throw new FastPathUnsupported("field too large");
      if (!inHeader && field < wanted.length && wanted[field] === 1 && fieldCarryBytes + more <= MAX_CARRIED_VALUE) {
        fieldCarry.push(Buffer.from(chunk.subarray(fieldStart, n)));
      }
      fieldCarryBytes += more;
    }
    if (inHeader) {
      if (n > cut) headerBytes.push(Buffer.from(chunk.subarray(cut, n)));
    } else if (n > cut) {
      if (pos + (n - cut) > out.length) out = grown(out, pos, n - cut);
      chunk.copy(out, pos, cut, n);
      pos += n - cut;
    }
    Object.assign(st, {
      line,
      prevCR,
      inQuotes,
      afterQuote,
      atRecordStart,
      atFieldStart,
      fieldQuoted,
      fieldEscapedQuote,
      field,
      fieldCarryBytes,
    });
    return out.subarray(0, pos);
  }

  return {
    push(chunk: Buffer): Buffer {
      const data = checkUtf8(chunk);
      recordEndOut = -1;
      return data.length ? scan(data) : Buffer.alloc(0);
    },
    end(): Buffer {
      if (utf8Carry) throw new FastPathUnsupported("file ends inside a UTF-8 character");
      if (st.inQuotes) throw new FastPathUnsupported("unterminated quote");
      recordEndOut = -1;
      if (st.atRecordStart) return Buffer.alloc(0);
      // The last record has no terminator: end it as if it had one.
      const wasHeader = inHeader;
      const tail = scan(Buffer.from([LF]));
      return wasHeader ? Buffer.alloc(0) : tail;
    },
    header: () => headerValues,
    columnCount: () => expected,
    rows: () => rows,
    recordEnd: () => recordEndOut,
    nativeRows: () => nativeRows,
  };
}
