// Formatting shared by the dataset pages, server and client alike: fixed locale, so the
// server's HTML and the browser's re-render agree.

const count = new Intl.NumberFormat("en-US");

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : count.format(n);
}

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1,234,567 → "1.2 MB" (decimal units, as file managers show them). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

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
