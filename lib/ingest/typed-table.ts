import type { Sql } from "postgres";
import type { ColumnType, DatasetColumn } from "@/db/schema/datasets";
import { quoteIdent } from "@/lib/csv/headers";
import { stagingTable, warehouseTable } from "@/lib/ingest/staging-sql";

export function effectiveType(column: DatasetColumn): ColumnType {
  return column.overrideType ?? column.inferredType;
}

/** The cast for one text column; the load already proved every value fits. */
function castExpression(column: DatasetColumn): string {
  const ident = quoteIdent(column.name);
  const type = effectiveType(column);
  if (type === "text") return ident;
  if (type === "boolean") return `(btrim(${ident}))::boolean as ${ident}`;
  if (type === "timestamptz") return `${ident}::timestamptz as ${ident}`;
  return `btrim(${ident})::${type} as ${ident}`;
}

/** The SELECT that turns the staging table into the typed one (shown to users as the typed model). */
export function typedSelectSql(datasetName: string, columns: readonly DatasetColumn[]): string {
  const list = ["_rb_line", ...columns.map(castExpression), "_rb_version", "_rb_loaded_at"].join(",\n  ");
  return `select\n  ${list}\nfrom ${stagingTable(datasetName)}`;
}

/**
 * Rebuilds warehouse."<dataset>" from staging with the column types, into a new table that is
 * swapped in within one transaction: readers see the old table or the new one, never neither.
 */
export async function buildTypedTable(sql: Sql, datasetName: string, columns: readonly DatasetColumn[]): Promise<void> {
  const buildName = `_rb_typed_${datasetName}`.slice(0, 63);
  await sql.begin(async (tx) => {
    // Casting timestamptz values without an offset reads them as UTC, as the inferrer assumed.
    await tx.unsafe(`set local timezone = 'UTC'`);
    await tx.unsafe(`drop table if exists warehouse.${quoteIdent(buildName)}`);
    await tx.unsafe(`create table warehouse.${quoteIdent(buildName)} as ${typedSelectSql(datasetName, columns)}`);
    // Views built on the typed table go with it; the caller rebuilds them (rebuildViewsDownstreamOf).
    await tx.unsafe(`drop table if exists ${warehouseTable(datasetName)} cascade`);
    await tx.unsafe(`alter table warehouse.${quoteIdent(buildName)} rename to ${quoteIdent(datasetName)}`);
  });
}

/**
 * Puts a typed table built alongside the load (lib/ingest/load-fast.ts) in place of
 * warehouse."<dataset>", in one transaction, when it was declared with exactly the types the
 * whole file turned out to have. Returns false (and drops it) otherwise.
 */
export async function swapInTwin(sql: Sql, datasetName: string, columns: readonly DatasetColumn[], twin: { table: string; types: ColumnType[] }): Promise<boolean> {
  const wanted = columns.map(effectiveType);
  const fits = wanted.length === twin.types.length && wanted.every((t, i) => t === twin.types[i]);
  if (!fits) {
    await sql.unsafe(`drop table if exists ${twin.table}`);
    return false;
  }
  return sql.begin(async (tx) => {
    const [row] = await tx`select to_regclass(${twin.table}) is not null as exists`;
    if (!row?.exists) return false;
    // Views built on the typed table go with it; the caller rebuilds them (rebuildViewsDownstreamOf).
    await tx.unsafe(`drop table if exists ${warehouseTable(datasetName)} cascade`);
    await tx.unsafe(`alter table ${twin.table} rename to ${quoteIdent(datasetName)}`);
    return true;
  });
}
