import table from "./classification-vectors.json";
import type { ColumnType } from "./infer";

/**
 * The shared table of classification test vectors (classification-vectors.json): one value
 * each and the type a column of only that value is inferred as, null for an empty value
 * (NULL, never classified). lib/csv/infer.test.ts holds lib/csv/infer.ts to it;
 * lib/csv/native-scan.test.ts holds native/copy_scan.c (its classify() and its record scanner)
 * and the TypeScript record scanner to it. Add a case there, and every classifier is tested
 * on it.
 */
export interface ClassificationVector {
  group: string;
  value: string;
  type: ColumnType | null;
  /** How to name the case in a test: JSON, shortened when long. */
  label: string;
}

type Entry = { value: string; type: ColumnType | null; note?: string; prefix?: string; suffix?: string; repeat?: number };

const TYPES = new Set<ColumnType | null>([null, "boolean", "bigint", "numeric", "date", "timestamp", "timestamptz", "text"]);

function label(value: string, entry: Entry): string {
  const json = JSON.stringify(value);
  const shown = json.length > 60 ? `${json.slice(0, 40)}…(${value.length} chars)` : json;
  return entry.note ? `${shown} (${entry.note})` : shown;
}

export const CLASSIFICATION_VECTORS: readonly ClassificationVector[] = Object.entries(
  (table as { groups: Record<string, Entry[]> }).groups,
).flatMap(([group, entries]) =>
  entries.map((entry) => {
    if (!TYPES.has(entry.type)) throw new Error(`classification-vectors.json: unknown type ${JSON.stringify(entry.type)}`);
    const value = (entry.prefix ?? "") + entry.value.repeat(entry.repeat ?? 1) + (entry.suffix ?? "");
    return { group, value, type: entry.type, label: label(value, entry) };
  }),
);
