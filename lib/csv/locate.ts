/**
 * The physical line and the field (1-based) of a byte in a CSV file, counted from the start of
 * the file. Quote-aware, so a line break or delimiter inside quotes counts as data. Works on the
 * raw bytes of any ASCII-compatible encoding, which is what an encoding error needs: the bytes
 * could not be decoded. Fed chunk by chunk, so a byte deep in a large file costs one read.
 */
export function createByteLocator(delimiter: string) {
  const delim = delimiter.charCodeAt(0);
  let line = 1;
  let column = 1;
  let inQuotes = false;
  let atFieldStart = true;
  let pendingQuote = false; // a quote inside quotes ended the last chunk: "" or a closing quote
  let pendingCR = false;
  let seen = 0;

  return {
    /** Reads `chunk` up to the absolute offset `stopAt`; true once the offset is reached. */
    push(chunk: Uint8Array, stopAt: number): boolean {
      const end = Math.min(chunk.length, stopAt - seen);
      for (let i = 0; i < end; i++) {
        const c = chunk[i]!;
        if (pendingCR) {
          pendingCR = false;
          if (c === 0x0a) continue; // the LF of a CRLF already counted
        }
        if (pendingQuote) {
          pendingQuote = false;
          if (c === 0x22) continue; // "" inside quotes
          inQuotes = false;
        }
        if (c === 0x0a || c === 0x0d) {
          line++;
          pendingCR = c === 0x0d;
          if (!inQuotes) {
            column = 1;
            atFieldStart = true;
          }
          continue;
        }
        if (c === 0x22) {
          if (inQuotes) pendingQuote = true;
          else if (atFieldStart) inQuotes = true;
          atFieldStart = false;
          continue;
        }
        if (inQuotes) continue;
        if (c === delim) {
          column++;
          atFieldStart = true;
        } else atFieldStart = false;
      }
      seen += end;
      return seen >= stopAt;
    },
    where: () => ({ line, column }),
  };
}

export function locateByte(bytes: Uint8Array, offset: number, delimiter: string): { line: number; column: number } {
  const locator = createByteLocator(delimiter);
  locator.push(bytes, offset);
  return locator.where();
}
