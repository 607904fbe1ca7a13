/**
 * Why a file cannot be read as CSV. The message is written for the person who uploaded the
 * file (it is shown to them as is); the fields let the UI point at the spot and let callers
 * branch on `code` without parsing text.
 */
export type CsvFormatErrorCode =
  | "binary" // not text at all (image, archive, NUL bytes)
  | "encoding" // bytes invalid in the chosen encoding, or an unknown encoding label
  | "too_many_columns" // more columns than PostgreSQL allows in a table
  | "ragged" // a record whose field count differs from the header's
  | "unterminated_quote" // a quoted field still open at end of file
  | "bad_quote" // a closing quote followed by something other than a delimiter or line end
  | "field_too_large" // one field above the size limit
  | "record_too_large" // one record above the size limit (many fields, each under the field limit)
  | "header_line" // the header line the user set is past the start of the file
  | "type_mismatch"; // a value that does not fit the type the user chose for its column

export interface CsvFormatErrorDetails {
  /** 1-based physical line in the source file. */
  line?: number;
  /** 1-based field position within the record. */
  column?: number;
  /** 0-based byte offset in the source file (BOM included, as the file is on disk). */
  byteOffset?: number;
}

export class CsvFormatError extends Error {
  readonly code: CsvFormatErrorCode;
  readonly line?: number;
  readonly column?: number;
  readonly byteOffset?: number;

  constructor(code: CsvFormatErrorCode, message: string, details: CsvFormatErrorDetails = {}) {
    super(message);
    this.name = "CsvFormatError";
    this.code = code;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
    if (details.byteOffset !== undefined) this.byteOffset = details.byteOffset;
  }
}

/** Numbers in user-facing messages read better grouped ("1,600", not "1600"). */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
