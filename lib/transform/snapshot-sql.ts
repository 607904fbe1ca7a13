import type { SnapshotConfig } from "@/db/schema/models";
import { quoteIdent } from "@/lib/csv/headers";

/**
 * A snapshot table's own columns, after the model's: when a version was current, and whether it
 * records the key's deletion. Names as dbt's (without the `dbt_` prefix), so SQL written for dbt
 * snapshots reads the same.
 */
export const SNAPSHOT_COLUMNS = ["valid_from", "valid_to", "is_deleted"] as const;

/** Types an `updatedAt` column may have: compared in order, and used as a version's valid_from. */
const TIME_TYPES = new Set(["timestamp with time zone", "timestamp without time zone", "date"]);

export type ResultColumn = { name: string; type: string };

/**
 * What stops a snapshot being built from a result with these columns, as messages for the user
 * (none: it can be built). Checked before anything is written, so a refusal changes nothing.
 */
export function snapshotColumnProblems(
  model: string,
  columns: readonly ResultColumn[],
  uniqueKey: readonly string[],
  config: SnapshotConfig | null | undefined,
): string[] {
  if (uniqueKey.length === 0) return [`Snapshot model ${model} needs a unique key: the columns that identify a row across builds`];
  if (!config) return [`Snapshot model ${model} has no snapshot strategy (timestamp or check)`];
  const problems: string[] = [];
  const byName = new Map(columns.map((c) => [c.name, c]));
  const reserved = columns.filter((c) => (SNAPSHOT_COLUMNS as readonly string[]).includes(c.name)).map((c) => c.name);
  if (reserved.length) {
    problems.push(
      `Snapshot model ${model} has a column named ${reserved.join(", ")}; the snapshot adds valid_from, valid_to and is_deleted itself, so rename it in the SQL`,
    );
  }
  const missingKey = uniqueKey.filter((k) => !byName.has(k));
  if (missingKey.length) problems.push(`Unique key column ${missingKey.join(", ")} is not in the result of snapshot model ${model}`);
  if (config.strategy === "timestamp") {
    const updatedAt = byName.get(config.updatedAt);
    if (!updatedAt) problems.push(`The updated_at column ${config.updatedAt} is not in the result of snapshot model ${model}`);
    else if (!TIME_TYPES.has(updatedAt.type)) {
      problems.push(
        `The updated_at column ${config.updatedAt} is ${updatedAt.type}; it must be a timestamp or a date (cast it in the SQL, e.g. ${config.updatedAt}::timestamptz)`,
      );
    }
  } else {
    const missing = (config.columns ?? []).filter((c) => !byName.has(c));
    if (missing.length) problems.push(`Check column ${missing.join(", ")} is not in the result of snapshot model ${model}`);
  }
  return problems;
}

/**
 * Columns whose type differs between the snapshot's table and the new result. A snapshot keeps
 * its columns' types (older versions hold values of the old type), so these are refused.
 */
export function changedTypes(table: readonly ResultColumn[], result: readonly ResultColumn[]): string[] {
  const old = new Map(table.map((c) => [c.name, c.type]));
  return result
    .filter((c) => old.has(c.name) && old.get(c.name) !== c.type)
    .map((c) => `${c.name} was ${old.get(c.name)} and is now ${c.type}`);
}

/**
 * The SQL fragments of the strategy, over `t` (the key's current version in the snapshot) and `s`
 * (the key's row in the new result):
 *   changed   whether `s` is a new version of `t`
 *   closeAt   when `t` stops being current (and its successor's valid_from)
 *   firstFrom valid_from of a key seen for the first time (no `t`)
 *
 * timestamp: as dbt, the row's own updated_at dates its versions, and only a later updated_at is a
 * change. closeAt never goes before t's valid_from, so a version's interval is never inverted
 * (a key that came back after a deletion opens at build time, which may be after its updated_at).
 * check: a compared column differs, NULL-safe and across types (compared as jsonb, so json
 * columns compare too); versions are dated by the build. With no `columns`, every column but the
 * key's is compared.
 */
export function versionRule(
  config: SnapshotConfig,
  resultColumns: readonly string[],
  uniqueKey: readonly string[],
): { changed: string; closeAt: string; firstFrom: string } {
  if (config.strategy === "timestamp") {
    const u = quoteIdent(config.updatedAt);
    return {
      // t's updated_at is NULL only in versions from before this column existed (or the strategy changed).
      changed: `(t.${u} is null or s.${u}::timestamptz > t.${u}::timestamptz)`,
      closeAt: `greatest(s.${u}::timestamptz, t.valid_from)`,
      firstFrom: `s.${u}::timestamptz`,
    };
  }
  const compared = config.columns ?? resultColumns.filter((c) => !uniqueKey.includes(c));
  const changed = compared.length
    ? `(${compared.map((c) => `to_jsonb(t.${quoteIdent(c)}) is distinct from to_jsonb(s.${quoteIdent(c)})`).join(" or ")})`
    : "false";
  return { changed, closeAt: "now()", firstFrom: "now()" };
}

/** `t.k = s.k and …` for the key columns (keys are never NULL: refused before). */
export function keyMatch(uniqueKey: readonly string[], left = "t", right = "s"): string {
  return uniqueKey.map((k) => `${left}.${quoteIdent(k)} = ${right}.${quoteIdent(k)}`).join(" and ");
}

/** A key's value as the database prints it, for messages: `42`, or `(42,EU)` for several columns. */
export function keyText(uniqueKey: readonly string[]): string {
  return uniqueKey.length === 1 ? `${quoteIdent(uniqueKey[0]!)}::text` : `row(${uniqueKey.map(quoteIdent).join(", ")})::text`;
}
