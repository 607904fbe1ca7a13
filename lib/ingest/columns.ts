import type { ColumnType, DatasetColumn } from "@/db/schema/datasets";
import type { StagedColumn } from "@/lib/ingest/load-staging";

/**
 * The narrowest type both sides fit losslessly, along a fixed lattice: bigint → numeric → text,
 * date → timestamp → text (a date is a timestamp at midnight); anything else meets at text.
 */
export function widenType(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has("bigint") && pair.has("numeric") && pair.size === 2) return "numeric";
  if (pair.has("date") && pair.has("timestamp") && pair.size === 2) return "timestamp";
  return "text";
}

/**
 * The dataset's columns after a load: the file's columns with their inferred types, keeping the
 * user's overrides by name. Appends and upserts add to existing rows, so their types widen to
 * fit both the old and the new values, and columns the file no longer has stay (NULL for its rows).
 */
export function mergeColumns(
  previous: readonly DatasetColumn[],
  staged: readonly StagedColumn[],
  mode: "replace" | "append" | "upsert",
): DatasetColumn[] {
  const byName = new Map(previous.map((c) => [c.name, c]));
  const merged = staged.map((c) => {
    const before = byName.get(c.name);
    // A column read from a written form before (null markers, 1,234, DD/MM/YYYY) holds rows in
    // that form: it goes back to text, and the refinement pass (lib/ingest/refine-types.ts)
    // decides again over all rows, old and new.
    const refinedBefore = mode !== "replace" && before && (before.format || before.nullMarkers?.length);
    // A replacing file keeps the lattice too (schema policy evolve): a column that widened never
    // narrows back, so the models on it do not flip between loads. Only plainly written typed
    // columns on both sides: text and written forms are for the refinement pass to decide.
    const sticky = mode === "replace" && before && !before.format && !before.nullMarkers?.length && c.inferredType !== "text";
    const inferredType: ColumnType = refinedBefore
      ? "text"
      : (mode !== "replace" || sticky) && before
        ? widenType(before.inferredType, c.inferredType)
        : c.inferredType;
    return {
      name: c.name,
      header: c.header,
      inferredType,
      ...(before?.overrideType ? { overrideType: before.overrideType } : {}),
    };
  });
  if (mode === "replace" || previous.length === 0) return merged;
  // Appending to the rows already there (schema policy evolve): their columns stay, in their
  // order, NULL for the new rows; the file's new columns come after them, NULL for the old rows.
  const fromFile = new Map(merged.map((c) => [c.name, c]));
  const kept = previous.map((c): DatasetColumn => {
    const same = fromFile.get(c.name);
    if (same) return same;
    // As for a column in the file: one read from a written form is decided again over all rows.
    const inferredType: ColumnType = c.format || c.nullMarkers?.length ? "text" : c.inferredType;
    return { name: c.name, header: c.header, inferredType, ...(c.overrideType ? { overrideType: c.overrideType } : {}) };
  });
  return [...kept, ...merged.filter((c) => !byName.has(c.name))];
}
