import type { TransactionSql } from "postgres";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { inSandbox } from "@/lib/transform/sandbox";

/**
 * "What changed" between a model's result and the result a delivery last delivered, computed in
 * Postgres: the snapshot is a table of (key, row) as jsonb beside the model in `warehouse`
 * (`_rb_` names are hidden and reserved), made and read by the sandbox role — a model can be a view
 * whose functions run as the reader, so no model is ever read on the app's own connection.
 *
 * A run writes the new result to `<snapshot>_next` and diffs it with the snapshot; the next table
 * replaces the snapshot only once the messages were accepted (promoteDigestSnapshot), so a run that
 * dies in between leaves the delivered state as it was.
 */

export type DigestRow = Record<string, unknown>;
export type DigestDiff = {
  /** No snapshot to compare with: this result becomes the baseline. */
  baseline: boolean;
  /** Rows in the result now. */
  rows: number;
  added: number;
  changed: number;
  removed: number;
  /** Columns compared and shown, key columns first, in the model's order. */
  columns: string[];
  key: string[];
  /** The first `sample` rows of each kind, by key. */
  addedRows: DigestRow[];
  changedRows: { before: DigestRow; after: DigestRow }[];
  removedRows: DigestRow[];
};

export type DigestTarget = { pipelineId: string; deliveryIndex: number };

/** The delivered snapshot's table name (the `_next` table adds five characters; both fit in 63). */
export function snapshotTableName(target: DigestTarget): string {
  return `_rb_digest_${target.pipelineId.replace(/-/g, "")}_${target.deliveryIndex}`;
}

const qualified = (name: string) => `warehouse.${quoteIdent(name)}`;
const textLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

async function relationExists(tx: TransactionSql, name: string): Promise<boolean> {
  const [row] = await tx`select to_regclass(${qualified(name)}) is not null as ok`;
  return Boolean(row?.ok);
}

async function modelColumns(tx: TransactionSql, model: string): Promise<string[]> {
  const rows = await tx`select attname from pg_attribute
    where attrelid = to_regclass(${qualified(model)}) and attnum > 0 and not attisdropped order by attnum`;
  return rows.map((r) => r.attname as string);
}

/**
 * Writes the model's result as (key, row) into the next table and compares it with the snapshot.
 * `columns` limits what counts as a change (the message's chosen columns); key columns always count.
 * `baseline` forces a fresh start (the digest's key or columns changed).
 */
export async function prepareDigestDiff(input: {
  target: DigestTarget;
  model: string;
  key: string[];
  columns?: string[];
  baseline: boolean;
  sample: number;
}): Promise<DigestDiff> {
  const snapshot = snapshotTableName(input.target);
  const next = `${snapshot}_next`;
  return inSandbox(async (tx) => {
    if (!(await relationExists(tx, input.model))) throw new UserError(`The model ${input.model} has not been built yet`, 409);
    const all = await modelColumns(tx, input.model);
    const visible = all.filter((c) => !c.startsWith("_rb_"));
    const missing = [...input.key, ...(input.columns ?? [])].filter((c) => !visible.includes(c));
    if (missing.length) throw new UserError(`The digest's column ${missing.join(", ")} is not in ${input.model}`, 400);
    const wanted = new Set([...input.key, ...(input.columns?.length ? input.columns : visible)]);
    const columns = [...input.key, ...visible.filter((c) => wanted.has(c) && !input.key.includes(c))];
    const dropped = all.filter((c) => !wanted.has(c));
    // Rows as jsonb minus the columns that do not count: one expression for any width (jsonb_build_object stops at 50 columns).
    const row = dropped.length ? `to_jsonb(m) - array[${dropped.map(textLiteral).join(", ")}]::text[]` : "to_jsonb(m)";
    const key = `jsonb_build_array(${input.key.map((c) => `m.${quoteIdent(c)}`).join(", ")})`;
    await tx.unsafe(`drop table if exists ${qualified(next)}`);
    await tx.unsafe(`create table ${qualified(next)} as select ${key} as k, ${row} as r from ${qualified(input.model)} m`);
    // Fresh tables have no statistics; without them the planner guesses badly on the joins below.
    await tx.unsafe(`analyze ${qualified(next)}`);
    const duplicates = await tx.unsafe(
      `select k::text as k, count(*)::int as n from ${qualified(next)} group by k having count(*) > 1 order by n desc limit 3`,
    );
    if (duplicates.length) {
      const shown = duplicates.map((d) => `${d.k as string} appears ${d.n as number} times`).join("; ");
      throw new UserError(`The digest key (${input.key.join(", ")}) is not unique in ${input.model}: ${shown}`, 400);
    }
    const [{ rows }] = (await tx.unsafe(`select count(*)::int as rows from ${qualified(next)}`)) as unknown as [{ rows: number }];
    const empty = { rows, added: 0, changed: 0, removed: 0, columns, key: input.key, addedRows: [], changedRows: [], removedRows: [] };
    if (input.baseline || !(await relationExists(tx, snapshot))) return { ...empty, baseline: true };

    // One pass over both tables (a full join, hash or merge): counts and the first rows of each kind
    // together. Separate anti-join queries let the planner pick nested loops on fresh tables.
    const limit = Math.max(0, Math.floor(input.sample));
    const found = await tx.unsafe(`select kind, total::int as total, before, after from (
        select kind, before, after, count(*) over (partition by kind) as total, row_number() over (partition by kind order by k) as rn
        from (
          select case when s.k is null then 'added' when n.k is null then 'removed' else 'changed' end as kind,
            coalesce(n.k, s.k) as k, s.r as before, n.r as after
          from ${qualified(next)} n full join ${qualified(snapshot)} s on s.k = n.k
          where n.k is null or s.k is null or n.r <> s.r
        ) d
      ) x where rn <= ${limit + 1} order by kind, rn`);
    const of = (kind: string) => found.filter((r) => r.kind === kind);
    const total = (kind: string) => (of(kind)[0]?.total as number | undefined) ?? 0;
    const sample = <T>(kind: string, pick: (r: (typeof found)[number]) => T) => of(kind).slice(0, limit).map(pick);
    return {
      ...empty,
      baseline: false,
      added: total("added"),
      changed: total("changed"),
      removed: total("removed"),
      addedRows: sample("added", (r) => r.after as DigestRow),
      removedRows: sample("removed", (r) => r.before as DigestRow),
      changedRows: sample("changed", (r) => ({ before: r.before as DigestRow, after: r.after as DigestRow })),
    };
  });
}

/**
 * Makes the prepared result the delivered snapshot. Idempotent: with no next table, an earlier
 * attempt already moved it (the rename and the drop commit together).
 */
export async function promoteDigestSnapshot(target: DigestTarget): Promise<void> {
  const snapshot = snapshotTableName(target);
  await inSandbox(async (tx) => {
    if (!(await relationExists(tx, `${snapshot}_next`))) return;
    await tx.unsafe(`drop table if exists ${qualified(snapshot)}`);
    await tx.unsafe(`alter table ${qualified(`${snapshot}_next`)} rename to ${quoteIdent(snapshot)}`);
  });
}

/** Drops a prepared result that was never delivered: its changes come again in the next diff. */
export async function discardDigestNext(target: DigestTarget): Promise<void> {
  await inSandbox(async (tx) => {
    await tx.unsafe(`drop table if exists ${qualified(`${snapshotTableName(target)}_next`)}`);
  });
}

/** A pipeline's snapshots (delivered and prepared), except those of the deliveries in `keep`: a deleted pipeline's, or a removed message's. */
export async function dropDigestSnapshots(pipelineId: string, keep: ReadonlySet<number> = new Set()): Promise<void> {
  const prefix = snapshotTableName({ pipelineId, deliveryIndex: 0 }).replace(/0$/, "");
  await inSandbox(async (tx) => {
    const tables = await tx`select tablename from pg_tables
      where schemaname = 'warehouse' and starts_with(tablename, ${prefix})`;
    for (const { tablename } of tables as unknown as { tablename: string }[]) {
      const index = Number(/^(\d+)/.exec(tablename.slice(prefix.length))?.[1]);
      if (!keep.has(index)) await tx.unsafe(`drop table if exists ${qualified(tablename)}`);
    }
  });
}
