import { getSql } from "@/db";
import type { Dataset, DatasetColumn } from "@/db/schema/datasets";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { relationExists, warehouseTable } from "@/lib/ingest/staging-sql";
import { effectiveType } from "@/lib/ingest/typed-table";
import type { RowsView } from "@/lib/validation/dataset-rows";
import { buildRowQuery, ROW_ALIAS } from "./row-filters";

/** Longer values are cut (and marked with …) on a page. */
const MAX_CELL_CHARS = 2_000;
const ROWS_TIMEOUT_MS = 20_000;

export type BrowserColumn = { name: string; header: string; type: string };

export type RowsPage = {
  columns: BrowserColumn[];
  rows: (string | null)[][];
  /** Rows that pass the filters. */
  total: number;
  /** The page served: the one asked for, or the last one when that was past the end. */
  page: number;
  size: number;
  pageCount: number;
};

/** The type as a header shows it, with the written form it was read from when that is not PostgreSQL's own. */
export function columnTypeLabel(column: DatasetColumn): string {
  const type = effectiveType(column);
  return column.format && column.format !== "plain" && !column.overrideType ? `${type} (${column.format})` : type;
}

/**
 * One page of the dataset's typed warehouse table (the table the old preview read, on the app
 * connection: it is the app's own table, not user SQL), sorted and filtered as the view says.
 * Values come back as Postgres's text output, so the page shows exactly what is stored.
 */
export async function readRowsPage(dataset: Dataset, view: RowsView): Promise<RowsPage> {
  const columns = dataset.columns.map((c) => ({ name: c.name, header: c.header, type: columnTypeLabel(c) }));
  // Checked before the table is looked at, so a bad request is refused the same way on an empty dataset.
  const built = buildRowQuery(dataset.columns, view);
  const sql = getSql();
  const empty: RowsPage = { columns, rows: [], total: 0, page: 1, size: view.size, pageCount: 1 };
  if (columns.length === 0 || !(await relationExists(sql, "warehouse", dataset.name))) return empty;
  const table = `${warehouseTable(dataset.name)} as ${ROW_ALIAS}`;
  // Long values are cut for the page (a 10,000-row page of wide text would otherwise be hundreds
  // of MB); the cut is marked so it is never mistaken for the value.
  const select = dataset.columns
    .map((c) => {
      const text = `${quoteIdent(c.name)}::text`;
      return `case when length(${text}) > ${MAX_CELL_CHARS} then left(${text}, ${MAX_CELL_CHARS}) || '…' else ${text} end`;
    })
    .join(", ");
  const n = built.params.length;
  return dataExceptionsAsUserErrors(
    sql.begin(async (tx) => {
      // Timestamps read and written in UTC, as ingest and the sandbox do, whatever the server's
      // own time zone; a sort of a very large table is stopped rather than left holding a connection.
      await tx.unsafe(`set local timezone = 'UTC'`);
      await tx.unsafe(`set local statement_timeout = '${ROWS_TIMEOUT_MS}ms'`);
      const readPage = (page: number) =>
        tx
          .unsafe(`select ${select} from ${table} ${built.where} order by ${built.orderBy} limit $${n + 1} offset $${n + 2}`, [
            ...built.params,
            view.size,
            (page - 1) * view.size,
          ])
          .values() as Promise<(string | null)[][]>;
      // Unfiltered, the count is the one the load recorded: no count(*) over the table per page.
      const count =
        !built.where && dataset.rowCount !== null
          ? dataset.rowCount
          : Number(
              (
                (await tx.unsafe(`select count(*)::bigint as total from ${table} ${built.where}`, built.params)) as unknown as [
                  { total: string },
                ]
              )[0].total,
            );
      const pageCount = Math.max(1, Math.ceil(count / view.size));
      const page = Math.min(view.page, pageCount);
      return { columns, rows: await readPage(page), total: count, page, size: view.size, pageCount };
    }),
  );
}

/** A value the checks let through but PostgreSQL cannot take (e.g. 1e999 as numeric) is the user's error, not the app's. */
async function dataExceptionsAsUserErrors<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("22")) {
      throw new UserError(`A filter value could not be read: ${(err as Error).message}.`, 400);
    }
    if (code === "57014") {
      throw new UserError(
        `Sorting or filtering this table took longer than ${ROWS_TIMEOUT_MS / 1000} s and was stopped. Sort by fewer rows with a filter, or use the default order.`,
        503,
      );
    }
    throw reloadedMeanwhile(err) ?? err;
  }
}

/**
 * The table was replaced by a load between reading the dataset's columns and reading the table
 * (a column gone or renamed, the table swapped out): not the app's failure, and a reload of the
 * page reads the new version. Null for any other error.
 */
export function reloadedMeanwhile(err: unknown): UserError | null {
  const code = (err as { code?: unknown } | null)?.code;
  // 42703 undefined column, 42P01 undefined table, 42804 a column's type changed under a filter.
  if (code !== "42703" && code !== "42P01" && code !== "42804") return null;
  return new UserError("A new version of this dataset was loaded while it was being read. Reload the page to see it.", 409);
}

/** The columns as the row browser needs them: name, file header, type, and the type's label. */
export function browserColumns(dataset: Pick<Dataset, "columns">) {
  return dataset.columns.map((c) => ({ name: c.name, header: c.header, type: effectiveType(c), label: columnTypeLabel(c) }));
}
