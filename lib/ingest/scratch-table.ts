import type { ReservedSql } from "postgres";
import { quoteIdent, type NormalizedHeader } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";

/** Creates (or re-creates) the all-text scratch table with the metadata columns. */
export async function createScratchTable(sql: ReservedSql, table: string, headers: readonly NormalizedHeader[], versionNumber: number): Promise<void> {
  const columnDefs = headers.map((h) => `${quoteIdent(h.name)} text`).join(", ");
  await sql.unsafe(`drop table if exists ${table}`);
  await sql.unsafe(
    `create table ${table} (_rb_line bigint not null, ${columnDefs}${headers.length ? ", " : ""}` +
      `_rb_version integer not null default ${Number(versionNumber)}, _rb_loaded_at timestamptz not null default now())`,
  );
}

export function emptyFileError(): UserError {
  return new UserError("The file is empty: there is no header row and no data.", 422);
}
