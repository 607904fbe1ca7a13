import type { ReservedSql, Sql } from "postgres";
import { quoteIdent, type NormalizedHeader } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";

/**
 * Creates (or re-creates) the all-text scratch table: the line number and the columns. The other
 * two metadata columns come afterwards, from stampScratchTable.
 */
export async function createScratchTable(sql: ReservedSql, table: string, headers: readonly NormalizedHeader[]): Promise<void> {
  const columnDefs = headers.map((h) => `${quoteIdent(h.name)} text`).join(", ");
  await sql.unsafe(`drop table if exists ${table}`);
  await sql.unsafe(`create table ${table} (_rb_line bigint not null${headers.length ? ", " : ""}${columnDefs})`);
}

/**
 * Adds the version and load-time columns once the rows are in. Added with a constant default,
 * a column costs no write at all (PostgreSQL 11+ keeps the value once, in the catalog, for every
 * existing row), where a column filled during COPY makes every row 12+ bytes wider: that was
 * about a tenth of COPY's time. The defaults are dropped again so that nothing else inherits
 * them; the rows keep their value. One load time for the whole load, however many COPYs filled
 * it. A retried load finds its columns already there. The load's typed twin, when there is one,
 * is stamped in the same transaction with the same values.
 */
export async function stampScratchTable(sql: Sql, tables: readonly string[], versionNumber: number): Promise<void> {
  const loadedAt = new Date().toISOString();
  await sql.begin(async (tx) => {
    for (const table of tables) {
      await tx.unsafe(
        `alter table ${table} add column if not exists _rb_version integer not null default ${Number(versionNumber)}, ` +
          `add column if not exists _rb_loaded_at timestamptz not null default '${loadedAt}'::timestamptz`,
      );
      await tx.unsafe(`alter table ${table} alter column _rb_version drop default, alter column _rb_loaded_at drop default`);
    }
  });
}

export function emptyFileError(): UserError {
  return new UserError("The file is empty: there is no header row and no data.", 422);
}
