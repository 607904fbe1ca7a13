// Formatting shared by the dataset pages, server and client alike: fixed locale, so the
// server's HTML and the browser's re-render agree.

/** Where a dataset comes from, briefly: the URL's host, or "upload". */
export function sourceLabel(sourceType: "url" | "upload", sourceUrl: string | null): string {
  if (sourceType === "upload" || !sourceUrl) return "upload";
  try {
    return new URL(sourceUrl).host;
  } catch {
    return sourceUrl;
  }
}

/** A stored version's source: "upload:sales.csv" → "Upload: sales.csv"; a URL as it is. */
export function versionSourceLabel(source: string): string {
  return source.startsWith("upload:") ? `Upload: ${source.slice("upload:".length)}` : source;
}

const DELIMITER_NAMES: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };

/** "comma (,)" for the delimiters people know by name; anything else shown as is, quoted. */
export function delimiterLabel(delimiter: string): string {
  const name = DELIMITER_NAMES[delimiter];
  if (name === "tab") return "tab";
  return name ? `${name} (${delimiter})` : JSON.stringify(delimiter);
}
