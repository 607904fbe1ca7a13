import { z } from "zod";
import type { ColumnType } from "@/db/schema/datasets";

/**
 * The row browser's view of a dataset, as it travels in the page's URL and in the rows route's
 * query string (the same shape, so a sorted and filtered view is a link): `page`, `size`, `sort`,
 * `dir`, and one `f.<column>=<op>:<value>` per filtered column (column in the key, so a value may
 * hold any character). Shared by the browser and the server; the server checks every column
 * against the dataset's catalog and every value against the column's type (lib/datasets/rows.ts).
 */

export const PAGE_SIZES = [25, 100, 1000, 10000] as const;
export const DEFAULT_PAGE_SIZE = 25;

export const filterOps = ["contains", "eq", "lt", "gt", "between", "empty"] as const;
export type FilterOp = (typeof filterOps)[number];

/** Which comparisons make sense for a column type: text is searched, numbers and dates compared. */
export function opsForType(type: ColumnType): FilterOp[] {
  if (type === "text") return ["contains", "eq", "empty"];
  if (type === "boolean") return ["eq", "empty"];
  return ["eq", "lt", "gt", "between", "empty"];
}

export const FILTER_OP_LABELS: Record<FilterOp, string> = {
  contains: "contains",
  eq: "=",
  lt: "<",
  gt: ">",
  between: "between",
  empty: "is empty",
};

const MAX_VALUE_CHARS = 500;
/** Separates the two bounds of "between" (no number, date or timestamp contains two dots). */
export const BETWEEN_SEPARATOR = "..";

export const rowFilter = z.object({
  column: z.string().min(1).max(63),
  op: z.enum(filterOps),
  value: z.string().max(MAX_VALUE_CHARS).optional(),
  value2: z.string().max(MAX_VALUE_CHARS).optional(),
});
export type RowFilter = z.infer<typeof rowFilter>;

export const rowsView = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000_000).default(1),
  size: z.coerce
    .number()
    .int()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n), { message: `Page size must be one of ${PAGE_SIZES.join(", ")}` })
    .default(DEFAULT_PAGE_SIZE),
  sort: z.string().min(1).max(63).optional(),
  dir: z.enum(["asc", "desc"]).default("asc"),
  filters: z.array(rowFilter).max(100).default([]),
});
export type RowsView = z.infer<typeof rowsView>;

const FILTER_PREFIX = "f.";

/** One `f.<column>` value, "op:value" (or "between:a..b", or just "empty"), as a filter. */
export function parseFilterParam(column: string, raw: string): RowFilter {
  const colon = raw.indexOf(":");
  const op = colon < 0 ? raw : raw.slice(0, colon);
  const rest = colon < 0 ? undefined : raw.slice(colon + 1);
  if (op === "between" && rest !== undefined) {
    const at = rest.indexOf(BETWEEN_SEPARATOR);
    if (at >= 0) return { column, op, value: rest.slice(0, at), value2: rest.slice(at + BETWEEN_SEPARATOR.length) };
  }
  return { column, op: op as FilterOp, value: rest };
}

/** The raw input of rowsView from URL search params; zod then checks it. */
export function viewFromParams(params: URLSearchParams): Record<string, unknown> {
  const filters: RowFilter[] = [];
  for (const [key, value] of params) {
    if (key.startsWith(FILTER_PREFIX)) filters.push(parseFilterParam(key.slice(FILTER_PREFIX.length), value));
  }
  const one = (key: string) => params.get(key) ?? undefined;
  return { page: one("page"), size: one("size"), sort: one("sort"), dir: one("dir"), filters };
}

/** A view as URL search params, defaults left out so the plain page keeps its plain URL. */
export function viewToParams(view: RowsView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.sort) {
    params.set("sort", view.sort);
    if (view.dir !== "asc") params.set("dir", view.dir);
  }
  for (const f of view.filters) {
    const value = f.op === "empty" ? "" : f.op === "between" ? `${f.value ?? ""}${BETWEEN_SEPARATOR}${f.value2 ?? ""}` : (f.value ?? "");
    params.set(`${FILTER_PREFIX}${f.column}`, f.op === "empty" ? "empty" : `${f.op}:${value}`);
  }
  if (view.size !== DEFAULT_PAGE_SIZE) params.set("size", String(view.size));
  if (view.page !== 1) params.set("page", String(view.page));
  return params;
}
