import type { Sql } from "postgres";
import type { ColumnType, Dataset, DatasetColumn, SchemaChanges } from "@/db/schema/datasets";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { effectiveType } from "@/lib/ingest/typed-table";

/** A removed and an added column are suggested as a rename from this share of equal values on. */
export const RENAME_SIMILARITY = 0.9;
/** Rows compared for a rename suggestion: enough to be sure, bounded for large files. */
const RENAME_SAMPLE_ROWS = 10_000;

/** How one version's columns differ from the previous version's (renames are suggested separately). */
export function diffSchemas(previous: readonly DatasetColumn[], next: readonly DatasetColumn[]): SchemaChanges {
  const before = new Map(previous.map((c) => [c.name, effectiveType(c)]));
  const after = new Map(next.map((c) => [c.name, effectiveType(c)]));
  return {
    added: [...after].filter(([name]) => !before.has(name)).map(([name, type]) => ({ name, type })),
    removed: [...before].filter(([name]) => !after.has(name)).map(([name, type]) => ({ name, type })),
    retyped: [...after]
      .filter(([name, type]) => before.has(name) && before.get(name) !== type)
      .map(([name, to]) => ({ name, from: before.get(name)!, to })),
    renamed: [],
  };
}

export function hasSchemaChanges(changes: SchemaChanges): boolean {
  return changes.added.length + changes.removed.length + changes.retyped.length > 0;
}

/** "added region (text); removed area (text); amount bigint → numeric; area → region (97 % equal)?" */
export function describeSchemaChanges(changes: SchemaChanges): string {
  const parts = [
    ...changes.added.map((c) => `added ${c.name} (${c.type})`),
    ...changes.removed.map((c) => `removed ${c.name} (${c.type})`),
    ...changes.retyped.map((c) => `${c.name} ${c.from} → ${c.to}`),
    ...changes.renamed.map((r) => `${r.from} → ${r.to} looks like a rename (${Math.round(r.similarity * 100)} % equal values)`),
  ];
  return parts.length ? parts.join("; ") : "no schema changes";
}

/**
 * Renames among the removed and added columns: the share of equal values on the rows both files
 * have at the same position (line), compared on the raw text in staging before the new file
 * replaces the old (the previous file's rows only, in an appending dataset). Each added column
 * pairs with its best removed column; types are checked by the caller once the load has typed them.
 */
export async function suggestRenames(
  sql: Sql,
  input: { previousTable: string; nextTable: string; removed: string[]; added: string[] },
): Promise<SchemaChanges["renamed"]> {
  const pairs = input.added.flatMap((to) => input.removed.map((from) => ({ from, to })));
  if (pairs.length === 0 || pairs.length > 100) return [];
  const shares = pairs
    .map((p, i) => `avg(case when o.${quoteIdent(p.from)} is not distinct from n.${quoteIdent(p.to)} then 1.0 else 0 end)::float8 as s${i}`)
    .join(", ");
  const [row] = await sql.unsafe(
    `select ${shares} from (select * from ${input.previousTable} ` +
      `where _rb_version = (select max(_rb_version) from ${input.previousTable}) order by _rb_line limit ${RENAME_SAMPLE_ROWS}) o ` +
      `join ${input.nextTable} n using (_rb_line)`,
  );
  const scored = pairs
    .map((p, i) => ({ ...p, similarity: Number(row?.[`s${i}`] ?? 0) }))
    .filter((p) => p.similarity >= RENAME_SIMILARITY)
    .sort((a, b) => b.similarity - a.similarity);
  const from = new Set<string>();
  const to = new Set<string>();
  return scored
    .filter((p) => {
      if (from.has(p.from) || to.has(p.to)) return false;
      from.add(p.from);
      to.add(p.to);
      return true;
    })
    .map((p) => ({ ...p, similarity: Math.round(p.similarity * 1000) / 1000 }));
}

/**
 * Type locks in force for a load: the dataset's own, and under `freeze` every column's current
 * type. A locked type is cast like a type the user chose, so a value that does not fit fails the
 * load naming its line and column, before anything is replaced.
 */
export function lockedTypes(
  dataset: Pick<Dataset, "schemaPolicy" | "typeLocks" | "columns" | "currentVersionId">,
): Record<string, ColumnType> {
  const frozen =
    dataset.schemaPolicy === "freeze" && dataset.currentVersionId
      ? Object.fromEntries(dataset.columns.map((c) => [c.name, effectiveType(c)]))
      : {};
  return { ...frozen, ...dataset.typeLocks };
}

/** Column names under `freeze`, and locked columns that are missing: checked before the new file replaces anything. */
export function assertColumnsAllowed(
  dataset: Pick<Dataset, "name" | "schemaPolicy" | "typeLocks" | "columns" | "currentVersionId">,
  next: readonly string[],
): void {
  if (dataset.schemaPolicy === "freeze" && dataset.currentVersionId) {
    const before = dataset.columns.map((c) => c.name);
    const added = next.filter((n) => !before.includes(n));
    const removed = before.filter((n) => !next.includes(n));
    if (added.length || removed.length) {
      const diff = [...added.map((n) => `added ${n}`), ...removed.map((n) => `removed ${n}`)].join("; ");
      throw new UserError(
        `The schema of ${dataset.name} is frozen and this file changes it: ${diff}. The previous table is kept; ` +
          "load a file with the same columns, or set the schema policy to evolve.",
        422,
      );
    }
  }
  const missing = Object.keys(dataset.typeLocks).filter((name) => !next.includes(name));
  if (missing.length) {
    throw new UserError(
      `${missing.map((n) => `${n} (locked to ${dataset.typeLocks[n]})`).join(", ")} ${missing.length === 1 ? "is" : "are"} missing from this file. The previous table is kept.`,
      422,
    );
  }
}
