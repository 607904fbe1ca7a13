import type { Sql } from "postgres";
import { quoteIdent } from "@/lib/csv/headers";

/** Identifiers of the staging and warehouse relations; every name goes through quoteIdent. */
export function stagingTable(name: string): string {
  return `staging.${quoteIdent(name)}`;
}

export function warehouseTable(name: string): string {
  return `warehouse.${quoteIdent(name)}`;
}

/** Per-load scratch table: derived from the load id so a retried job finds and replaces its own. */
export function scratchName(loadId: string): string {
  return `_rb_load_${loadId.replace(/-/g, "").slice(0, 20)}`;
}

/** The load's typed twin of its scratch table, in the warehouse schema (lib/ingest/load-fast.ts, openTypedLane). */
export function typedScratchName(loadId: string): string {
  return `_rb_typed${scratchName(loadId).slice("_rb".length)}`;
}

/** Drops what a load that did not finish may have left: its scratch table and its typed twin. */
export async function dropLoadScratch(sql: Sql, loadId: string): Promise<void> {
  await sql.unsafe(`drop table if exists ${stagingTable(scratchName(loadId))}`);
  await sql.unsafe(`drop table if exists ${warehouseTable(typedScratchName(loadId))}`);
}

export async function relationExists(sql: Sql, schema: string, name: string): Promise<boolean> {
  const [row] = await sql`select to_regclass(${`${quoteIdent(schema)}.${quoteIdent(name)}`}) is not null as exists`;
  return Boolean(row?.exists);
}

export async function tableColumns(sql: Sql, schema: string, name: string): Promise<string[]> {
  const rows = await sql`
    select attname from pg_attribute
    where attrelid = to_regclass(${`${quoteIdent(schema)}.${quoteIdent(name)}`}) and attnum > 0 and not attisdropped
    order by attnum`;
  return rows.map((r) => r.attname as string);
}
