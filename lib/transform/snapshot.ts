import type { TransactionSql } from "postgres";
import type { SnapshotConfig } from "@/db/schema/models";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { runUserSql } from "@/lib/transform/sandbox";
import {
  changedTypes,
  keyMatch,
  keyText,
  SNAPSHOT_COLUMNS,
  snapshotColumnProblems,
  versionRule,
  type ResultColumn,
} from "@/lib/transform/snapshot-sql";

export type SnapshotInput = {
  name: string;
  uniqueKey: readonly string[];
  snapshot: SnapshotConfig | null | undefined;
  /** The model's SELECT, compiled. */
  sql: string;
};

const relation = (name: string) => `warehouse.${quoteIdent(name)}`;

async function columnsOf(tx: TransactionSql, qualified: string): Promise<ResultColumn[]> {
  const rows = await tx`select attname, format_type(atttypid, atttypmod) as type from pg_attribute
    where attrelid = to_regclass(${qualified}) and attnum > 0 and not attisdropped order by attnum`;
  return rows.map((r) => ({ name: r.attname as string, type: r.type as string }));
}

const isSnapshotTable = (columns: readonly ResultColumn[]) => SNAPSHOT_COLUMNS.every((name) => columns.some((c) => c.name === name));

function refuse(message: string): never {
  throw new UserError(message, 422);
}

/**
 * Builds a snapshot model (dbt's SCD type 2) inside the caller's sandbox transaction: the table
 * keeps every version of every row, by unique key, with valid_from / valid_to (NULL: current) /
 * is_deleted. A key gone from the result gets a deletion version (dbt's hard_deletes: new_record):
 * its last values, is_deleted true, valid_from the build time, valid_to NULL, and the version before
 * it closed at the build time. A result identical to the current versions adds nothing, so a build
 * retried after a crash (or run twice) never doubles versions; one transaction, so a failed build
 * leaves the table as it was.
 *
 * The new result is first stored beside the snapshot (`_rb_snap_<name>`), so the user's SQL runs
 * once and every check reads the same rows.
 */
export async function buildSnapshot(tx: TransactionSql, input: SnapshotInput, existing: "view" | "table" | null): Promise<void> {
  const { name, uniqueKey } = input;
  if (uniqueKey.length === 0 || !input.snapshot) refuse(snapshotColumnProblems(name, [], uniqueKey, input.snapshot)[0]!);
  const config = input.snapshot;
  const target = relation(name);
  const scratch = relation(`_rb_snap_${name}`.slice(0, 63));
  await tx.unsafe(`drop table if exists ${scratch}`);
  await runUserSql(tx, `create table ${scratch} as ${input.sql}`);

  const result = await columnsOf(tx, scratch);
  const problems = snapshotColumnProblems(name, result, uniqueKey, config);
  if (problems.length) refuse(problems.join("; "));
  await checkKeys(tx, name, scratch, uniqueKey, config);

  let table = existing === "table" ? await columnsOf(tx, target) : [];
  // Another materialization's relation gives way: the history starts with this build.
  if (existing === "view" || (existing === "table" && !isSnapshotTable(table))) {
    await tx.unsafe(`drop ${existing} if exists ${target} cascade`);
    table = [];
  }
  const rule = versionRule(
    config,
    result.map((c) => c.name),
    uniqueKey,
  );
  const list = (cols: readonly string[], alias?: string) =>
    cols.map((c) => (alias ? `${alias}.${quoteIdent(c)}` : quoteIdent(c))).join(", ");
  const resultNames = result.map((c) => c.name);

  if (table.length === 0) {
    await tx.unsafe(`create table ${target} as
      select ${list(resultNames, "s")}, ${rule.firstFrom} as valid_from, null::timestamptz as valid_to, false as is_deleted
      from ${scratch} as s`);
  } else {
    // Readers go on reading; a second build of the same snapshot waits and then sees this one's versions.
    await tx.unsafe(`lock table ${target} in share row exclusive mode`);
    const retyped = changedTypes(table, result);
    if (retyped.length) {
      refuse(
        `Snapshot model ${name} keeps its columns' types: ${retyped.join("; ")}. Cast the column in the SQL to its earlier type, or rename it`,
      );
    }
    // A column new to the model is added; its older versions hold NULL.
    for (const column of result.filter((c) => !table.some((t) => t.name === c.name))) {
      await tx.unsafe(`alter table ${target} add column ${quoteIdent(column.name)} ${column.type}`);
    }
    await checkCurrentVersions(tx, name, target, uniqueKey);
    const modelColumns = [...table.map((c) => c.name), ...resultNames.filter((c) => !table.some((t) => t.name === c))].filter(
      (c) => !(SNAPSHOT_COLUMNS as readonly string[]).includes(c),
    );
    const keys = list(uniqueKey, "s");

    // 1. Keys gone from the result: close the current version and add a deletion version.
    await tx.unsafe(`with closed as (
        update ${target} as t set valid_to = now()
        where t.valid_to is null and not t.is_deleted
          and not exists (select 1 from ${scratch} as s where ${keyMatch(uniqueKey)})
        returning t.*
      )
      insert into ${target} (${list(modelColumns)}, valid_from, valid_to, is_deleted)
      select ${list(modelColumns)}, now(), null, true from closed`);

    // 2. Changed keys and deleted keys that came back: close the current version, open the new one.
    await tx.unsafe(`with closed as (
        update ${target} as t set valid_to = case when t.is_deleted then now() else ${rule.closeAt} end
        from ${scratch} as s
        where t.valid_to is null and ${keyMatch(uniqueKey)} and (t.is_deleted or ${rule.changed})
        returning ${keys}, t.valid_to as valid_from
      )
      insert into ${target} (${list(resultNames)}, valid_from, valid_to, is_deleted)
      select ${list(resultNames, "s")}, c.valid_from, null, false
      from ${scratch} as s join closed as c on ${keyMatch(uniqueKey, "c", "s")}`);

    // 3. Keys never seen before.
    await tx.unsafe(`insert into ${target} (${list(resultNames)}, valid_from, valid_to, is_deleted)
      select ${list(resultNames, "s")}, ${rule.firstFrom}, null, false from ${scratch} as s
      where not exists (select 1 from ${target} as t where ${keyMatch(uniqueKey)})`);
  }
  await tx.unsafe(`drop table ${scratch}`);
  // Builds find a key's current version by this index. Named after the key, so a changed key gets its own.
  const indexName = `${name.slice(0, 40)}_rb_cur_${shortHash(uniqueKey.join(","))}`;
  await tx.unsafe(`create index if not exists ${quoteIdent(indexName)} on ${target} (${list(uniqueKey)}) where valid_to is null`);
}

function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** The unique key must identify one row of the result, and (timestamp) every row needs its updated_at. */
async function checkKeys(tx: TransactionSql, name: string, scratch: string, uniqueKey: readonly string[], config: SnapshotConfig) {
  const keys = uniqueKey.map(quoteIdent).join(", ");
  const [dup] = await tx.unsafe<{ key: string; n: number }[]>(
    `select ${keyText(uniqueKey)} as key, count(*)::int as n from ${scratch} group by ${keys} having count(*) > 1 order by count(*) desc, 1 limit 1`,
  );
  if (dup)
    refuse(`The unique key (${uniqueKey.join(", ")}) of snapshot model ${name} is not unique: key ${dup.key} appears ${dup.n} times`);
  const updatedAt = config.strategy === "timestamp" ? quoteIdent(config.updatedAt) : null;
  const [nulls] = await tx.unsafe<{ keys: number; updated: number }[]>(
    `select count(*) filter (where ${uniqueKey.map((k) => `${quoteIdent(k)} is null`).join(" or ")})::int as keys,
      ${updatedAt ? `count(*) filter (where ${updatedAt} is null)::int` : "0"} as updated from ${scratch}`,
  );
  if (nulls!.keys) refuse(`The unique key (${uniqueKey.join(", ")}) of snapshot model ${name} is NULL in ${nulls!.keys} rows`);
  if (nulls!.updated) {
    refuse(
      `The updated_at column ${(config as { updatedAt: string }).updatedAt} of snapshot model ${name} is NULL in ${nulls!.updated} rows`,
    );
  }
}

/**
 * Each key has at most one current version. Only a changed unique key can break this (versions
 * recorded under the old key); building on would double versions, so it is refused.
 */
async function checkCurrentVersions(tx: TransactionSql, name: string, target: string, uniqueKey: readonly string[]) {
  const keys = uniqueKey.map(quoteIdent).join(", ");
  const [dup] = await tx.unsafe<{ key: string; n: number }[]>(
    `select ${keyText(uniqueKey)} as key, count(*)::int as n from ${target} where valid_to is null group by ${keys} having count(*) > 1 limit 1`,
  );
  if (dup) {
    refuse(
      `Snapshot model ${name} has ${dup.n} current versions of key ${dup.key}: its history was recorded under another unique key. ` +
        `Go back to that key, or start the history afresh under a new model name`,
    );
  }
}
