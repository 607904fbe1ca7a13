"use client";

import { useState, type FormEvent } from "react";
import { FilterIcon, XIcon } from "lucide-react";
import { FILTER_OP_LABELS, opsForType, type FilterOp, type RowFilter, type RowsView } from "@/lib/validation/dataset-rows";
import type { ColumnType } from "@/db/schema/datasets";
import { NativeSelect } from "@/components/pipelines/native-select";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { BrowserColumnMeta } from "./row-browser";

const PLACEHOLDER: Partial<Record<ColumnType, string>> = {
  bigint: "e.g. 42",
  numeric: "e.g. 3.5",
  date: "YYYY-MM-DD",
  timestamp: "YYYY-MM-DD HH:MM",
  timestamptz: "YYYY-MM-DD HH:MM",
  text: "text",
};

/**
 * One filter per column: pick a column, a condition its type allows and a value; applying a
 * filter on a column that has one replaces it. The server checks everything again and says what
 * is wrong (shown above the table).
 */
export function RowFilterBar({
  columns,
  view,
  onChange,
}: {
  columns: BrowserColumnMeta[];
  view: RowsView;
  onChange: (view: RowsView) => void;
}) {
  const [columnName, setColumnName] = useState(columns[0]?.name ?? "");
  const column = columns.find((c) => c.name === columnName) ?? columns[0];
  const ops = column ? opsForType(column.type) : [];
  const [opChoice, setOp] = useState<FilterOp>(ops[0] ?? "eq");
  const op = ops.includes(opChoice) ? opChoice : (ops[0] ?? "eq");
  const [value, setValue] = useState("");
  const [value2, setValue2] = useState("");
  if (!column) return null;

  const apply = (filters: RowFilter[]) => onChange({ ...view, filters, page: 1 });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // A boolean's select shows "true" before it is touched.
    const first = column.type === "boolean" ? value || "true" : value;
    const filter: RowFilter =
      op === "empty" ? { column: column.name, op } : { column: column.name, op, value: first, ...(op === "between" ? { value2 } : {}) };
    apply([...view.filters.filter((f) => f.column !== column.name), filter]);
  };

  return (
    <div className="flex flex-col gap-2 px-6">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Filter rows">
        <div className="flex w-40 flex-col gap-1">
          <Label htmlFor="row-filter-column">Column</Label>
          <NativeSelect id="row-filter-column" value={column.name} onChange={(e) => setColumnName(e.target.value)}>
            {columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex w-32 flex-col gap-1">
          <Label htmlFor="row-filter-op">Condition</Label>
          <NativeSelect id="row-filter-op" value={op} onChange={(e) => setOp(e.target.value as FilterOp)}>
            {ops.map((o) => (
              <option key={o} value={o}>
                {FILTER_OP_LABELS[o]}
              </option>
            ))}
          </NativeSelect>
        </div>
        {op === "empty" ? null : column.type === "boolean" ? (
          <div className="flex w-28 flex-col gap-1">
            <Label htmlFor="row-filter-value">Value</Label>
            <NativeSelect id="row-filter-value" value={value || "true"} onChange={(e) => setValue(e.target.value)}>
              <option value="true">true</option>
              <option value="false">false</option>
            </NativeSelect>
          </div>
        ) : (
          <>
            <div className="flex w-44 flex-col gap-1">
              <Label htmlFor="row-filter-value">{op === "between" ? "From" : "Value"}</Label>
              <Input
                id="row-filter-value"
                value={value}
                onChange={(e) => setValue(e.target.value)}
                placeholder={PLACEHOLDER[column.type]}
                required={column.type !== "text" || op !== "eq"}
              />
            </div>
            {op === "between" ? (
              <div className="flex w-44 flex-col gap-1">
                <Label htmlFor="row-filter-value2">To</Label>
                <Input
                  id="row-filter-value2"
                  value={value2}
                  onChange={(e) => setValue2(e.target.value)}
                  placeholder={PLACEHOLDER[column.type]}
                  required
                />
              </div>
            ) : null}
          </>
        )}
        <Button type="submit" variant="secondary">
          <FilterIcon aria-hidden="true" />
          Filter
        </Button>
      </form>
      {view.filters.length ? (
        <div className="flex flex-wrap items-center gap-2">
          <ul className="flex flex-wrap gap-2" aria-label="Active filters" data-testid="active-filters">
            {view.filters.map((f) => (
              <li key={f.column} className="bg-muted inline-flex items-center gap-1 rounded-md py-0.5 pr-0.5 pl-2 text-xs">
                <span className="font-mono">{describeFilter(f)}</span>
                <Button
                  type="button"
                  variant="ghost"
                  size="icon"
                  className="size-6"
                  aria-label={`Remove the filter on ${f.column}`}
                  onClick={() => apply(view.filters.filter((g) => g.column !== f.column))}
                >
                  <XIcon aria-hidden="true" />
                </Button>
              </li>
            ))}
          </ul>
          <Button type="button" variant="link" size="sm" onClick={() => apply([])}>
            Clear filters
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function describeFilter(f: RowFilter): string {
  if (f.op === "empty") return `${f.column} is empty`;
  if (f.op === "between") return `${f.column} between ${f.value ?? ""} and ${f.value2 ?? ""}`;
  return `${f.column} ${FILTER_OP_LABELS[f.op]} "${f.value ?? ""}"`;
}
