import iconv from "iconv-lite";
import { checkBinaryHead, checkMagic } from "./binary";
import { detectEncoding } from "./detect-encoding";
import { detectBom, detectDelimiter, detectLineEnding, type LineEnding } from "./dialect";
import { findInvalidUtf8, incompleteUtf8Tail, invalidUtf8Error, isWideEncoding, resolveEncodingLabel } from "./encoding";
import { CsvFormatError } from "./errors";
import { locateByte } from "./locate";
import { detectLayout, physicalLineStart } from "./layout";

export interface SniffResult {
  /** "utf-8", "utf-16le", "windows-1252", … or the validated label the user chose; pass to createDecoderStream. */
  encoding: string;
  /** Where the encoding came from: a BOM beats the user's choice, which beats detection. */
  encodingSource: "bom" | "option" | "detected";
  /** In words, for the dataset page: why this encoding. */
  encodingReason: string;
  /** Bytes of byte-order mark. */
  bomLength: number;
  delimiter: string;
  delimiterSource: "option" | "detected";
  /** The most common record terminator in the head. */
  lineEnding: LineEnding;
  /** The first record is the header (the user's choice, or detected: see lib/csv/layout.ts). */
  header: boolean;
  headerSource: "option" | "detected";
  /**
   * Where the table starts: bytes to skip from the start of the file (the BOM and any preamble
   * lines before the header), and the physical line found there.
   */
  startOffset: number;
  startLine: number;
  /** Every line ends with the delimiter: the empty field after it is not a column. */
  trailingDelimiter: boolean;
  /** The decoded head without BOM, cut at the last complete character (for previews). */
  text: string;
}

export interface SniffOptions {
  encoding?: string;
  delimiter?: string;
  header?: boolean;
  /** The physical line of the header (or first record), overriding detection. */
  headerLine?: number;
  /** The head is the whole file: its last line is complete even without a line break. */
  complete?: boolean;
}

/**
 * Works out how to read a file from its first chunk. Order matters: binary checks run on raw
 * bytes before any decoding, so an image is reported as an image and not as bad UTF-8.
 * The head may end mid-character or mid-record; both are tolerated here, and the decoder and
 * parser check the real end of file.
 */
export function sniffBytes(head: Buffer, opts: SniffOptions = {}): SniffResult {
  checkMagic(head);
  const bom = detectBom(head);
  const chosen = opts.encoding === undefined ? undefined : resolveEncodingLabel(opts.encoding);
  const complete = opts.complete ?? false;

  // A BOM cannot appear by accident, so it overrides a choice made without seeing it.
  const guess = bom || chosen ? null : detectEncoding(head, { complete });
  const encoding = bom?.encoding ?? chosen ?? guess!.encoding;
  const encodingSource = bom ? "bom" : chosen ? "option" : "detected";
  const encodingReason = bom ? "byte-order mark" : chosen ? "chosen" : guess!.reason;
  const bomLength = bom?.length ?? 0;

  const wide = isWideEncoding(encoding);
  let wideText: string | undefined;
  // The browser's upload form applies this same rule (lib/csv/binary.ts).
  checkBinaryHead(head, {
    bomLength,
    wide,
    text: () => (wideText ??= iconv.getDecoder(encoding, { stripBOM: false }).write(head.subarray(bomLength))),
  });

  let text: string;
  if (wide) {
    text = wideText!;
  } else {
    if (encoding === "utf-8") {
      const bad = findInvalidUtf8(head, bomLength, head.length, !complete);
      if (bad !== -1) throw locatedEncodingError(head, bad, opts.delimiter, chosen === "utf-8");
      text = head.toString("utf8", bomLength, head.length - (complete ? 0 : incompleteUtf8Tail(head)));
    } else {
      // No end() call: a multi-byte character cut off by the end of the head is dropped.
      text = iconv.getDecoder(encoding, { stripBOM: false }).write(head.subarray(bomLength));
    }
  }

  const delimiter = opts.delimiter ?? detectDelimiter(text);
  const lineEnding = detectLineEnding(text, delimiter);
  // With a header line the user set, the table is read from there: the header and trailing
  // delimiter decisions are made on the records from that line on.
  const atLine = opts.headerLine === undefined ? null : findLine(text, opts.headerLine);
  const detected = detectLayout(atLine ? text.slice(atLine.start) : text, delimiter, complete);
  const start = atLine ? atLine.start : detected.start;
  const startLine = atLine ? atLine.startLine : detected.startLine;
  const prefix = text.slice(0, start);
  // addBOM false: iconv-lite's UTF-16/32 encoders would count a byte-order mark the file lacks.
  const startOffset =
    bomLength + (encoding === "utf-8" ? Buffer.byteLength(prefix) : iconv.encode(prefix, encoding, { addBOM: false }).length);
  return {
    encoding,
    encodingSource,
    encodingReason,
    bomLength,
    delimiter,
    delimiterSource: opts.delimiter ? "option" : "detected",
    lineEnding,
    header: opts.header ?? detected.header,
    headerSource: opts.header === undefined ? "detected" : "option",
    startOffset,
    startLine,
    trailingDelimiter: detected.trailingDelimiter,
    text,
  };
}

/** The start of physical line `line` in the head (a line the user named as the header). */
function findLine(text: string, line: number): { start: number; startLine: number } {
  const found = physicalLineStart(text, line);
  if ("lines" in found) {
    throw new CsvFormatError("header_line", `The header line is set to ${line}, but the start of the file has only ${found.lines} lines.`);
  }
  return { start: found.start, startLine: line };
}

function locatedEncodingError(head: Buffer, offset: number, delimiter: string | undefined, userChoseUtf8: boolean): CsvFormatError {
  const where = locateByte(head, offset, delimiter ?? detectDelimiter(head.toString("latin1")));
  return invalidUtf8Error(offset, userChoseUtf8, where);
}
