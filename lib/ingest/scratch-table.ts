import type { ReservedSql } from "postgres";
import { quoteIdent, type NormalizedHeader } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";

/**
 * Creates (or re-creates) the all-text scratch table with the metadata columns. The load time
 * is a constant taken now rather than now() per row: one value for the whole load, however many
 * COPYs (transactions) share its rows, and no function call per row.
 */
export async function createScratchTable(sql: ReservedSql, table: string, headers: readonly NormalizedHeader[], versionNumber: number): Promise<void> {
  const columnDefs = headers.map((h) => `${quoteIdent(h.name)} text`).join(", ");
  const loadedAt = new Date().toISOString();
  await sql.unsafe(`drop table if exists ${table}`);
  await sql.unsafe(
    `create table ${table} (_rb_line bigint not null, ${columnDefs}${headers.length ? ", " : ""}` +
      `_rb_version integer not null default ${Number(versionNumber)}, _rb_loaded_at timestamptz not null default '${loadedAt}'::timestamptz)`,
  );
}

export function emptyFileError(): UserError {
  return new UserError("The file is empty: there is no header row and no data.", 422);
}
