import type { Sql } from "postgres";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { relationExists, stagingTable, tableColumns } from "@/lib/ingest/staging-sql";

export type ApplyInput = {
  datasetName: string;
  /** Bare name of the filled scratch table in staging. */
  scratch: string;
  /** The file's columns (the scratch table's). */
  columns: string[];
  mode: "replace" | "append" | "upsert";
  keyColumns: string[];
  versionNumber: number;
};

const METADATA = ["_rb_line", "_rb_version", "_rb_loaded_at"];

/**
 * Puts a filled scratch table in place of (or into) staging."<dataset>", in one transaction each:
 * a failure leaves the previous table exactly as it was.
 */
export async function applyScratchTable(sql: Sql, input: ApplyInput): Promise<void> {
  const target = stagingTable(input.datasetName);
  const scratch = stagingTable(input.scratch);
  await sql.begin(async (tx) => {
    // One load applies at a time per dataset, even from two workers.
    await tx`select pg_advisory_xact_lock(hashtext(${`staging.${input.datasetName}`}))`;
    const exists = await relationExists(tx as unknown as Sql, "staging", input.datasetName);
    if (input.mode === "replace" || !exists) {
      if (input.mode === "upsert") await createUpsertTarget(tx as unknown as Sql, input, scratch, target);
      else {
        // Views over the old table (models using source()) go with it and are rebuilt after the load.
        await tx.unsafe(`drop table if exists ${target} cascade`);
        await tx.unsafe(`alter table ${scratch} rename to ${quoteIdent(input.datasetName)}`);
      }
      return;
    }
    await addNewColumns(tx as unknown as Sql, input);
    const columnList = [...METADATA, ...input.columns].map(quoteIdent).join(", ");
    if (input.mode === "append") {
      // A retried job must not add the same version twice.
      const [already] = await tx.unsafe(`select 1 from ${target} where _rb_version = $1 limit 1`, [input.versionNumber]);
      if (!already) await tx.unsafe(`insert into ${target} (${columnList}) select ${columnList} from ${scratch}`);
    } else {
      await assertKeysPresent(tx as unknown as Sql, input, scratch);
      const keys = input.keyColumns.map(quoteIdent).join(", ");
      await tx.unsafe(`create unique index if not exists ${quoteIdent(`${input.datasetName}_rb_key`.slice(0, 63))} on ${target} (${keys})`);
      const updates = [...METADATA, ...input.columns]
        .filter((c) => !input.keyColumns.includes(c))
        .map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`)
        .join(", ");
      // Within one file the last row for a key wins, as it would applied line by line.
      await tx.unsafe(
        `insert into ${target} (${columnList}) ` +
          `select distinct on (${keys}) ${columnList} from ${scratch} order by ${keys}, _rb_line desc ` +
          `on conflict (${keys}) do ${updates ? `update set ${updates}` : "nothing"}`,
      );
    }
    await tx.unsafe(`drop table ${scratch}`);
  });
}

async function createUpsertTarget(tx: Sql, input: ApplyInput, scratch: string, target: string): Promise<void> {
  await assertKeysPresent(tx, input, scratch);
  const keys = input.keyColumns.map(quoteIdent).join(", ");
  const columnList = [...METADATA, ...input.columns].map(quoteIdent).join(", ");
  await tx.unsafe(`drop table if exists ${target} cascade`);
  await tx.unsafe(`create table ${target} as select distinct on (${keys}) ${columnList} from ${scratch} order by ${keys}, _rb_line desc`);
  await tx.unsafe(`create unique index ${quoteIdent(`${input.datasetName}_rb_key`.slice(0, 63))} on ${target} (${keys})`);
  await tx.unsafe(`drop table ${scratch}`);
}

/**
 * Appending or upserting a file with other columns (the schema policy `freeze` refused that
 * before): columns new in the file are added, NULL for the rows already there; columns the file
 * lacks stay, NULL for its rows (the insert names only the file's columns). Staging is all text.
 */
async function addNewColumns(tx: Sql, input: ApplyInput): Promise<void> {
  const existing = new Set(await tableColumns(tx, "staging", input.datasetName));
  const added = input.columns.filter((c) => !existing.has(c));
  for (const column of added) await tx.unsafe(`alter table ${stagingTable(input.datasetName)} add column ${quoteIdent(column)} text`);
}

async function assertKeysPresent(tx: Sql, input: ApplyInput, scratch: string): Promise<void> {
  const unknown = input.keyColumns.filter((k) => !input.columns.includes(k));
  if (unknown.length) {
    throw new UserError(`Key column ${unknown.join(", ")} is not in the file (columns: ${input.columns.join(", ")})`, 422);
  }
  for (const key of input.keyColumns) {
    const [row] = await tx.unsafe(`select _rb_line from ${scratch} where ${quoteIdent(key)} is null order by _rb_line limit 1`);
    if (row) throw new UserError(`Line ${row._rb_line}: the key column ${key} is empty; upsert needs a value in every key column`, 422);
  }
}
