import iconv from "iconv-lite";
import { checkBinaryBytes, checkBinaryText, checkMagic } from "./binary";
import { detectBom, detectDelimiter, detectLineEnding, type LineEnding } from "./dialect";
import { findInvalidUtf8, incompleteUtf8Tail, invalidUtf8Error, isWideEncoding, resolveEncodingLabel } from "./encoding";

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
