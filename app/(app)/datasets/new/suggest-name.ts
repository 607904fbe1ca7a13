// Client-side mirrors of the dataset name rules in lib/validation/datasets.ts, for a name
// suggestion and an early message before any bytes are uploaded. The server stays the judge.

const MAX_NAME_BYTES = 63;
const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/** "Sales 2024 (final).csv" → "sales_2024_final"; "2024.csv" → "d_2024". */
export function suggestDatasetName(raw: string): string {
  const base = raw
    .replace(/\.(csv|tsv|txt|psv|dat)(\.gz)?$/i, "")
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  let name = base || "dataset";
  if (/^[0-9]/.test(name)) name = `d_${name}`;
  if (name.startsWith("pg_")) name = `d_${name}`;
  return name.slice(0, MAX_NAME_BYTES).replace(/_+$/, "");
}

/** The last path segment of a URL (or its host when the path is empty), for the suggestion. */
export function nameSourceFromUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  const segments = url.pathname.split("/").filter(Boolean);
  const last = segments.at(-1);
  if (last) {
    try {
      return decodeURIComponent(last);
    } catch {
      return last;
    }
  }
  return url.hostname.replace(/^www\./, "") || null;
}

export function datasetNameProblem(name: string): string | null {
  const v = name.trim();
  if (!v) return "Give the dataset a name";
  if (!NAME_PATTERN.test(v)) return "Use lowercase letters, digits and underscores, starting with a letter (e.g. sales_2024)";
  if (new TextEncoder().encode(v).length > MAX_NAME_BYTES) return "At most 63 characters (a PostgreSQL identifier limit)";
  if (v.startsWith("_rb_") || v.startsWith("pg_")) return "Names starting with _rb_ or pg_ are reserved";
  return null;
}
