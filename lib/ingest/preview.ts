import { getSql } from "@/db";
import { getDatasetByName } from "@/db/queries/datasets";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { relationExists, warehouseTable } from "@/lib/ingest/staging-sql";

export type DatasetRows = { columns: string[]; rows: (string | null)[][]; total: number };

export const MAX_PAGE_SIZE = 1000;

/**
 * One page of the typed warehouse table, in file order. Values come back as text (Postgres's own
 * output format), so the page renders exactly what is stored, never as HTML.
 */
export async function readDatasetRows(name: string, opts: { limit: number; offset: number }): Promise<DatasetRows> {
  const dataset = await getDatasetByName(name);
  if (!dataset) throw new UserError(`No dataset named ${name}`, 404);
  const limit = Math.min(Math.max(1, Math.floor(opts.limit)), MAX_PAGE_SIZE);
  const offset = Math.max(0, Math.floor(opts.offset));
  const columns = dataset.columns.map((c) => c.name);
  const sql = getSql();
  if (!(await relationExists(sql, "warehouse", name)) || columns.length === 0) return { columns, rows: [], total: 0 };
  const select = columns.map((c) => `${quoteIdent(c)}::text`).join(", ");
  const rows = await sql
    .unsafe(`select ${select} from ${warehouseTable(name)} order by _rb_version, _rb_line limit $1 offset $2`, [limit, offset])
    .values();
  const [{ total }] = (await sql.unsafe(`select count(*)::bigint as total from ${warehouseTable(name)}`)) as unknown as [{ total: string }];
  return { columns, rows: rows as (string | null)[][], total: Number(total) };
}
