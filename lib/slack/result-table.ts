import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import type { MessageTemplate, ResultTable } from "@/lib/slack/render";
import { inSandbox } from "@/lib/transform/sandbox";

export const DEFAULT_TABLE_ROWS = 20;

/** A database or JSON value as a message table cell. */
export function tableCell(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The rows a message's table shows: chosen columns, sort and first N rows of a warehouse relation. */
export async function loadResultTable(table: NonNullable<MessageTemplate["table"]>): Promise<ResultTable> {
  return inSandbox(
    async (tx) => {
      const relation = `warehouse.${quoteIdent(table.model)}`;
      const exists = await tx`select to_regclass(${relation}) is not null as ok`;
      if (!exists[0]?.ok) throw new UserError(`The model ${table.model} has not been built yet`, 409);
      const available = (
        await tx`select attname from pg_attribute where attrelid = to_regclass(${relation}) and attnum > 0 and not attisdropped and attname not like '\\_rb\\_%' order by attnum`
      ).map((r) => r.attname as string);
      const columns = table.columns?.length ? table.columns : available;
      const unknown = columns.filter((c) => !available.includes(c));
      if (unknown.length) throw new UserError(`Column ${unknown.join(", ")} is not in ${table.model}`, 400);
      if (table.sortBy && !available.includes(table.sortBy))
        throw new UserError(`Cannot sort by ${table.sortBy}: not a column of ${table.model}`, 400);
      const order = table.sortBy
        ? ` order by ${quoteIdent(table.sortBy)} ${table.sortDirection === "desc" ? "desc" : "asc"} nulls last`
        : "";
      const limit = Math.min(table.limit ?? DEFAULT_TABLE_ROWS, 1000);
      const select = columns.map(quoteIdent).join(", ");
      const rows = await tx.unsafe(`select ${select} from ${relation}${order} limit ${limit}`).values();
      const [{ n }] = (await tx.unsafe(`select count(*)::bigint as n from ${relation}`)) as unknown as [{ n: string }];
      return { columns, rows: rows.map((r) => (r as unknown[]).map(tableCell)), totalRows: Number(n) };
    },
    { readOnly: true },
  );
}
