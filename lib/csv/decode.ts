import { isUtf8 } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";
import iconv from "iconv-lite";
import {
  findInvalidUtf8,
  incompleteUtf8Tail,
  invalidUtf8Error,
  isSingleByteEncoding,
  isUtf8Label,
  isWideEncoding,
  resolveEncodingLabel,
} from "./encoding";
import { CsvFormatError } from "./errors";

/**
 * Bytes in, strings out, for any encoding iconv-lite knows. Characters are never split across
 * output chunks, the first `bomLength` bytes are dropped, and a NUL character is refused
 * (PostgreSQL text cannot store it, and COPY would fail later with a vaguer message).
 *
 * The readable side is in object mode so the strings pass through as strings: a byte-mode
 * readable would re-encode each one into a Buffer, and re-decoding that is the very
 * split-character trap this stream exists to avoid.
 */
export function createDecoderStream(encoding: string, bomLength: number): Transform {
  const label = resolveEncodingLabel(encoding);
  return isUtf8Label(label) ? utf8Decoder(bomLength) : iconvDecoder(label, bomLength);
}

function nulError(byteOffset: number | undefined): CsvFormatError {
  const where = byteOffset === undefined ? "" : ` at byte offset ${byteOffset}`;
  return new CsvFormatError(
    "binary",
    `This file contains a NUL byte${where}; it looks binary, or its encoding is wrong.`,
    byteOffset === undefined ? {} : { byteOffset },
  );
}

/**
 * UTF-8 is checked strictly rather than decoded leniently: a lenient decoder turns bad bytes into
 * U+FFFD and the file would load "successfully" with its text silently damaged. We hold back
 * an incomplete trailing sequence (at most 3 bytes) for the next chunk, validate the rest with
 * Node's native isUtf8 (simdutf, fast enough to run on every chunk), and only on failure walk
 * the bytes by hand to name the offset, which TextDecoder({ fatal: true }) cannot tell us.
 */
function utf8Decoder(bomLength: number): Transform {
  let offset = 0; // absolute offset of the next incoming byte
  let toSkip = bomLength;
  let carry: Buffer = Buffer.alloc(0);

  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let buf = chunk;
      const chunkStart = offset;
      offset += chunk.length;
      if (toSkip > 0) {
        const skip = Math.min(toSkip, buf.length);
        buf = buf.subarray(skip);
        toSkip -= skip;
      }
      const base = chunkStart + (chunk.length - buf.length) - carry.length; // offset of data[0]
      const data = carry.length ? Buffer.concat([carry, buf]) : buf;
      const usable = data.length - incompleteUtf8Tail(data);
      if (!isUtf8(data.subarray(0, usable))) {
        const at = findInvalidUtf8(data, 0, usable);
        return done(invalidUtf8Error(base + Math.max(0, at), false));
      }
      const nul = data.indexOf(0);
      if (nul !== -1 && nul < usable) return done(nulError(base + nul));
      carry = Buffer.from(data.subarray(usable)); // copy: the source may reuse its buffer
      if (usable > 0) this.push(data.toString("utf8", 0, usable));
      done();
    },
    flush(done: TransformCallback) {
      // Bytes still held at the end can only be a character the file cut off.
      if (carry.length) return done(invalidUtf8Error(offset - carry.length, false));
      done();
    },
  });
}

/**
 * Legacy and wide encodings go through iconv-lite's streaming decoder, which keeps partial
 * characters between writes. iconv-lite turns a byte its table does not define (0x81 in
 * windows-1252) into U+FFFD, which no legacy encoding can mean otherwise: that is an error here,
 * never a silently damaged value.
 */
function iconvDecoder(label: string, bomLength: number): Transform {
  const decoder = iconv.getDecoder(label, { stripBOM: false });
  const wide = isWideEncoding(label);
  const utf16 = wide && !/32/.test(label) && !/ucs-?4/.test(label);
  const singleByte = isSingleByteEncoding(label);
  let offset = 0;
  let toSkip = bomLength;
  let charsOut = 0; // UTF-16 code units emitted, to turn a position into a byte offset
  let heldSurrogate = "";

  const byteOffsetOf = (unit: number): number | undefined =>
    utf16 ? bomLength + 2 * (charsOut + unit) : singleByte ? bomLength + charsOut + unit : undefined;

  /**
   * iconv-lite's UTF-16 decoder may end a write() between the two halves of a surrogate pair;
   * the high half is held back so every chunk stays well-formed. A surrogate that is still
   * alone after that is invalid input (and would reach PostgreSQL as U+FFFD), so it fails.
   */
  function emit(stream: Transform, decoded: string | undefined, last: boolean): CsvFormatError | null {
    let text = heldSurrogate + (decoded ?? "");
    heldSurrogate = "";
    if (!last && text.length > 0) {
      const code = text.charCodeAt(text.length - 1);
      if (code >= 0xd800 && code <= 0xdbff) {
        heldSurrogate = text.slice(-1);
        text = text.slice(0, -1);
      }
    }
    if (!text) return null;
    const nul = text.indexOf("\0");
    if (nul !== -1) return nulError(byteOffsetOf(nul));
    const undefinedByte = wide ? -1 : text.indexOf("\uFFFD");
    if (undefinedByte !== -1) {
      const byteOffset = byteOffsetOf(undefinedByte);
      const where = byteOffset === undefined ? "" : ` at byte offset ${byteOffset}`;
      return new CsvFormatError(
        "encoding",
        `This file has a byte that ${label} does not define${where}: it is probably in another encoding.`,
        byteOffset === undefined ? {} : { byteOffset },
      );
    }
    if (wide) {
      const lone = text.search(/\p{Cs}/u);
      if (lone !== -1) {
        const byteOffset = byteOffsetOf(lone);
        const where = byteOffset === undefined ? "" : ` at byte offset ${byteOffset}`;
        return new CsvFormatError(
          "encoding",
          `This file contains an invalid ${label} sequence${where}.`,
          byteOffset === undefined ? {} : { byteOffset },
        );
      }
    }
    charsOut += text.length;
    stream.push(text);
    return null;
  }

  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let buf = chunk;
      const chunkStart = offset;
      offset += chunk.length;
      if (toSkip > 0) {
        const skip = Math.min(toSkip, buf.length);
        buf = buf.subarray(skip);
        toSkip -= skip;
      }
      if (!wide) {
        // In ASCII-compatible encodings a 0x00 byte is NUL, so the offset is exact.
        const nul = buf.indexOf(0);
        if (nul !== -1) return done(nulError(chunkStart + (chunk.length - buf.length) + nul));
      }
      done(emit(this, decoder.write(buf), false));
    },
    flush(done: TransformCallback) {
      // iconv-lite silently drops an odd trailing byte of UTF-16; the file is truncated, say so.
      if (utf16 && (offset - bomLength) % 2 !== 0) {
        return done(
          new CsvFormatError("encoding", `This file ends in the middle of a UTF-16 character (byte ${offset - 1}).`, {
            byteOffset: offset - 1,
          }),
        );
      }
      done(emit(this, decoder.end(), true));
    },
  });
}
