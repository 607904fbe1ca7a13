/**
 * Database errors quote the value that failed (`invalid input syntax for type integer: "…"`,
 * `Key (id)=(…) already exists`, `Failing row contains (…)`), and that value is user data of any
 * size: a whole multi-line CSV cell, a document. Stored build errors, run pages, alerts and logs
 * keep only the head of it, so an error stays an error message and not a copy of the data.
 */

export const QUOTED_VALUE_MAX_LINES = 3;
export const QUOTED_VALUE_MAX_CHARS = 200;
/** Any one error text (message, detail, hint) after its values were clipped; a last safety net. */
export const ERROR_TEXT_MAX_LINES = 6;
export const ERROR_TEXT_MAX_CHARS = 500;
export const ELLIPSIS = "…";

function headOf(text: string, maxLines: number, maxChars: number): string {
  const lines = text.split(/\r?\n/);
  let head = lines.slice(0, maxLines).join("\n");
  let cut = lines.length > maxLines;
  if (head.length > maxChars) {
    head = head.slice(0, maxChars);
    // Never leave half of a surrogate pair behind.
    if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
    cut = true;
  }
  return cut ? `${head}${ELLIPSIS}` : head;
}

/** The first QUOTED_VALUE_MAX_LINES lines and QUOTED_VALUE_MAX_CHARS characters of a value, "…" when cut. */
export function clipValue(value: string): string {
  return headOf(value, QUOTED_VALUE_MAX_LINES, QUOTED_VALUE_MAX_CHARS);
}

// Postgres' wordings that end with (or wrap) the whole failing value; the value part is greedy so
// quotes or parentheses inside the value do not end it early.
const VALUE_PATTERNS: RegExp[] = [
  // invalid input syntax for type integer: "…" / invalid input value for enum x: "…" / … out of range: "…"
  /^([^"\n]*?: ")([\s\S]*)("\.?)$/,
  // value "…" is out of range for type integer
  /^(value ")([\s\S]*)(" is out of range for type [^"\n]*)$/,
  // Key (a, b)=(…) already exists. / is not present in table "t". / is still referenced from table "t".
  /^(Key \([^\n]*?\)=\()([\s\S]*)(\) (?:already exists|is not present in table|is still referenced from table|conflicts with)[^\n]*)$/,
  // Failing row contains (…).
  /^(Failing row contains \()([\s\S]*)(\)\.?)$/,
];

/**
 * The error text with every quoted value cut to its head, and the whole text to at most
 * ERROR_TEXT_MAX_LINES lines and ERROR_TEXT_MAX_CHARS characters.
 */
export function clipErrorText(text: string): string {
  let out = text;
  const known = VALUE_PATTERNS.map((p) => p.exec(out)).find(Boolean);
  if (known) out = `${known[1]}${clipValue(known[2]!)}${known[3]}`;
  else out = out.replace(/"([^"]*)"/g, (_m, value: string) => `"${clipValue(value)}"`);
  return headOf(out, ERROR_TEXT_MAX_LINES, ERROR_TEXT_MAX_CHARS);
}

export function clipOptionalErrorText(text: string | undefined | null): string | undefined {
  return text ? clipErrorText(text) : undefined;
}
