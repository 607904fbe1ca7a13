import type { Sql, TransactionSql } from "postgres";
import type { Materialization, SnapshotConfig } from "@/db/schema/models";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { runUserSql } from "@/lib/transform/sandbox";
import { buildSnapshot } from "@/lib/transform/snapshot";

export type MaterializeInput = {
  name: string;
  materialization: Materialization;
  uniqueKey: readonly string[];
  /** Snapshot models only: how a change is seen. */
  snapshot?: SnapshotConfig | null;
  /** The model's SELECT, compiled for a first build (false) or an incremental run (true). */
  compile: (isIncremental: boolean) => Promise<string>;
};

const relation = (name: string) => `warehouse.${quoteIdent(name)}`;

/** Whether warehouse."name" exists, and as a view or a table. */
export async function existingKind(tx: TransactionSql | Sql, name: string): Promise<"view" | "table" | null> {
  const [row] = await tx`select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'warehouse' and c.relname = ${name}`;
  if (!row) return null;
  return row.relkind === "v" ? "view" : "table";
}

async function dropRelation(tx: TransactionSql, name: string, kind: "view" | "table"): Promise<void> {
  // Dependent views go too (cascade); the builder rebuilds downstream views after every build.
  await tx.unsafe(`drop ${kind} if exists ${relation(name)} cascade`);
}

/**
 * Builds one model inside the caller's sandbox transaction. Tables are built beside the old one
 * and swapped in within the transaction, so readers see the old table or the new one, and a
 * failed build leaves the old one in place.
 */
export async function materialize(tx: TransactionSql, input: MaterializeInput): Promise<{ compiledSql: string }> {
  const existing = await existingKind(tx, input.name);
  if (input.materialization === "view") {
    const sql = await input.compile(false);
    if (existing === "table") await dropRelation(tx, input.name, "table");
    try {
      await tx.savepoint((sp) => runUserSql(sp, `create or replace view ${relation(input.name)} as ${sql}`));
    } catch (err) {
      // 42P16: the view's columns changed in a way CREATE OR REPLACE cannot express.
      if ((err as { code?: string }).code !== "42P16") throw err;
      await dropRelation(tx, input.name, "view");
      await runUserSql(tx, `create view ${relation(input.name)} as ${sql}`);
    }
    return { compiledSql: sql };
  }

  if (input.materialization === "snapshot") {
    const sql = await input.compile(false);
    await buildSnapshot(tx, { name: input.name, uniqueKey: input.uniqueKey, snapshot: input.snapshot, sql }, existing);
    return { compiledSql: sql };
  }

  if (input.materialization === "incremental" && existing === "table") {
    const sql = await input.compile(true);
    await mergeIncrement(tx, input, sql);
    return { compiledSql: sql };
  }

  const sql = await input.compile(false);
  const buildName = `_rb_build_${input.name}`.slice(0, 63);
  await tx.unsafe(`drop table if exists ${relation(buildName)}`);
  await runUserSql(tx, `create table ${relation(buildName)} as ${sql}`);
  if (existing) await dropRelation(tx, input.name, existing);
  await tx.unsafe(`alter table ${relation(buildName)} rename to ${quoteIdent(input.name)}`);
  if (input.materialization === "incremental") await ensureUniqueKey(tx, input);
  return { compiledSql: sql };
}

async function ensureUniqueKey(tx: TransactionSql, input: MaterializeInput): Promise<void> {
  if (input.uniqueKey.length === 0) throw new UserError(`Incremental model ${input.name} needs a unique_key`, 422);
  const keys = input.uniqueKey.map(quoteIdent).join(", ");
  await tx.unsafe(
    `create unique index if not exists ${quoteIdent(`${input.name}_rb_key`.slice(0, 63))} on ${relation(input.name)} (${keys})`,
  );
}

/** New and changed rows (by unique_key) merge into the existing table. */
async function mergeIncrement(tx: TransactionSql, input: MaterializeInput, sql: string): Promise<void> {
  await ensureUniqueKey(tx, input);
  const columns = (
    await tx`select attname from pg_attribute where attrelid = to_regclass(${relation(input.name)}) and attnum > 0 and not attisdropped order by attnum`
  ).map((r) => r.attname as string);
  const missing = input.uniqueKey.filter((k) => !columns.includes(k));
  if (missing.length) throw new UserError(`unique_key column ${missing.join(", ")} is not in model ${input.name}`, 422);
  const list = columns.map(quoteIdent).join(", ");
  const keys = input.uniqueKey.map(quoteIdent).join(", ");
  const updates = columns
    .filter((c) => !input.uniqueKey.includes(c))
    .map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`)
    .join(", ");
  await runUserSql(
    tx,
    `insert into ${relation(input.name)} (${list}) select ${list} from (
${sql}
) as increment ` + `on conflict (${keys}) do ${updates ? `update set ${updates}` : "nothing"}`,
  );
}
