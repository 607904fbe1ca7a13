import type { ColumnType, DatasetColumn } from "@/db/schema/datasets";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { effectiveType } from "@/lib/ingest/typed-table";
import { FILTER_OP_LABELS, opsForType, type RowFilter, type RowsView } from "@/lib/validation/dataset-rows";

/**
 * The WHERE and ORDER BY of a row-browser view, built from the dataset's catalog: a column name
 * from the request is only ever used after it is found in dataset.columns (and then quoted by
 * quoteIdent), an operator only from a fixed list, and every value travels as a bind parameter
 * with an explicit cast, after a check of its own so a wrong value is a clear 400, not a SQL error.
 */

export type BuiltQuery = { where: string; orderBy: string; params: string[] };

/**
 * The table's alias in the query. Every column reference is qualified with it: ORDER BY takes a
 * bare name as an output column first, and the output columns are the same names cast to text,
 * so an unqualified sort would order numbers and dates as text.
 */
export const ROW_ALIAS = "t";
/** Row order that never depends on the plan: every row of a warehouse table has its own (version, line). */
const TIEBREAK = `${ROW_ALIAS}._rb_version, ${ROW_ALIAS}._rb_line`;

function columnRef(name: string): string {
  return `${ROW_ALIAS}.${quoteIdent(name)}`;
}

export function columnByName(columns: DatasetColumn[], name: string): DatasetColumn {
  const column = columns.find((c) => c.name === name);
  if (!column) throw new UserError(`This dataset has no column named "${name}".`, 400, { column: [`Unknown column "${name}"`] });
  return column;
}

export function buildRowQuery(columns: DatasetColumn[], view: Pick<RowsView, "sort" | "dir" | "filters">): BuiltQuery {
  const params: string[] = [];
  const seen = new Set<string>();
  const conditions = view.filters.map((filter) => {
    const column = columnByName(columns, filter.column);
    if (seen.has(column.name)) throw new UserError(`Column "${column.name}" has more than one filter.`, 400);
    seen.add(column.name);
    return condition(column, filter, params);
  });
  let orderBy = TIEBREAK;
  if (view.sort) {
    const column = columnByName(columns, view.sort);
    // NULLs last both ways: an empty cell is never what a user sorts to find.
    orderBy = `${columnRef(column.name)} ${view.dir === "desc" ? "desc" : "asc"} nulls last, ${TIEBREAK}`;
  }
  return { where: conditions.length ? `where ${conditions.join(" and ")}` : "", orderBy, params };
}

function condition(column: DatasetColumn, filter: RowFilter, params: string[]): string {
  const type = effectiveType(column);
  const ident = columnRef(column.name);
  if (!opsForType(type).includes(filter.op)) {
    throw new UserError(`"${FILTER_OP_LABELS[filter.op]}" does not apply to column "${column.name}" (${type}).`, 400);
  }
  if (filter.op === "empty") return type === "text" ? `(${ident} is null or ${ident} = '')` : `${ident} is null`;
  const bind = (raw: string | undefined) => {
    params.push(checkValue(column.name, type, raw));
    // Sent as text and cast in SQL: left to infer the type, postgres.js would serialize the
    // string itself (its boolean writer turns "true" into false, its date writer shifts zones).
    return `$${params.length}::text::${type}`;
  };
  switch (filter.op) {
    case "contains":
      // strpos, not LIKE: the value is text to find, so % and _ in it mean themselves.
      return `strpos(lower(${ident}), lower(${bind(filter.value)})) > 0`;
    case "eq":
      return `${ident} = ${bind(filter.value)}`;
    case "lt":
      return `${ident} < ${bind(filter.value)}`;
    case "gt":
      return `${ident} > ${bind(filter.value)}`;
    case "between":
      return `${ident} between ${bind(filter.value)} and ${bind(filter.value2)}`;
  }
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,4})?$/;
const INTEGER = /^[-+]?\d{1,19}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[ T]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const TYPE_HINT: Record<ColumnType, string> = {
  bigint: "a whole number",
  numeric: "a number",
  date: "a date as YYYY-MM-DD",
  timestamp: "a date and time as YYYY-MM-DD HH:MM[:SS]",
  timestamptz: "a date and time as YYYY-MM-DD HH:MM[:SS][+HH:MM]",
  boolean: "true or false",
  text: "text",
};

/** The value as the cast will read it, or a UserError saying what the column expects. */
export function checkValue(columnName: string, type: ColumnType, raw: string | undefined): string {
  const value = (raw ?? "").trim();
  const ok =
    type === "text"
      ? (raw ?? "").length > 0
      : type === "bigint"
        ? INTEGER.test(value) && BigInt(value) <= 9223372036854775807n && BigInt(value) >= -9223372036854775808n
        : type === "numeric"
          ? NUMBER.test(value)
          : type === "date"
            ? isCalendarDate(value)
            : type === "boolean"
              ? value === "true" || value === "false"
              : TIMESTAMP.test(value) && isCalendarDate(TIMESTAMP.exec(value)![1]!);
  if (!ok) {
    const shown = (raw ?? "").length > 40 ? `${raw!.slice(0, 40)}…` : (raw ?? "");
    const message = shown ? `"${shown}" is not ${TYPE_HINT[type]}` : `A value is needed: ${TYPE_HINT[type]}`;
    throw new UserError(`${message} (column "${columnName}").`, 400, { [columnName]: [`Expected ${TYPE_HINT[type]}`] });
  }
  // Text is matched as typed (spaces included); other types were checked trimmed.
  return type === "text" ? raw! : value;
}

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}
