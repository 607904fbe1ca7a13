import { getSql } from "@/db";

/** Column names of every warehouse and staging relation, for SQL completion in the editor. */
export async function listRelationColumns(): Promise<{ warehouse: Record<string, string[]>; staging: Record<string, string[]> }> {
  const rows = await getSql()`
    select table_schema, table_name, column_name
    from information_schema.columns
    where table_schema in ('warehouse', 'staging') and table_name not like '\\_rb\\_%'
    order by table_schema, table_name, ordinal_position`;
  const out = { warehouse: {} as Record<string, string[]>, staging: {} as Record<string, string[]> };
  for (const row of rows) {
    const schema = row.table_schema as "warehouse" | "staging";
    (out[schema][row.table_name as string] ??= []).push(row.column_name as string);
  }
  return out;
}
