/**
 * Rows → PostgreSQL COPY text format. Hand-written because it is the hot loop of every load
 * (one call per cell) and the format is tiny: tab-separated, \N for NULL, backslash escapes.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function escapeCopyText(value: string): string {
  if (value === "") return "\\N";
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "\\") out += "\\\\";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else out += ch;
  }
  return out;
}

/** One COPY line: the source line number first, then the fields; missing fields are NULL. */
export function copyLine(line: number, fields: readonly string[], columnCount: number): string {
  let out = String(line);
  for (let i = 0; i < columnCount; i++) out += "\t" + escapeCopyText(fields[i] ?? "");
  return out + "\n";
}
