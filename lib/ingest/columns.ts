import type { ColumnType, DatasetColumn } from "@/db/schema/datasets";
import type { StagedColumn } from "@/lib/ingest/load-staging";

/** The narrowest type both sides fit losslessly; anything else is text. */
export function widenType(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has("bigint") && pair.has("numeric") && pair.size === 2) return "numeric";
  return "text";
}

/**
 * The dataset's columns after a load: the file's columns with their inferred types, keeping the
 * user's overrides by name. Appends and upserts add to existing rows, so their types widen to
 * fit both the old and the new values.
 */
export function mergeColumns(
  previous: readonly DatasetColumn[],
  staged: readonly StagedColumn[],
  mode: "replace" | "append" | "upsert",
): DatasetColumn[] {
  const byName = new Map(previous.map((c) => [c.name, c]));
  return staged.map((c) => {
    const before = byName.get(c.name);
    // A column read from a written form before (null markers, 1,234, DD/MM/YYYY) holds rows in
    // that form: it goes back to text, and the refinement pass (lib/ingest/refine-types.ts)
    // decides again over all rows, old and new.
    const refinedBefore = mode !== "replace" && before && (before.format || before.nullMarkers?.length);
    const inferredType: ColumnType = refinedBefore
      ? "text"
      : mode !== "replace" && before
        ? widenType(before.inferredType, c.inferredType)
        : c.inferredType;
    return {
      name: c.name,
      header: c.header,
      inferredType,
      ...(before?.overrideType ? { overrideType: before.overrideType } : {}),
    };
  });
}
