"use client";

import { memo, useEffect, useMemo, useState } from "react";
import { ArrowDownIcon, ArrowUpDownIcon, ArrowUpIcon } from "lucide-react";
import type { ColumnStat } from "@/db/schema/dataset-stats";
import type { RowsView } from "@/lib/validation/dataset-rows";
import { formatCount } from "@/lib/format";
import type { BrowserColumnMeta } from "./row-browser";

/**
 * The rows in a box of their own that scrolls both ways (the page never scrolls sideways), with a
 * sticky header: each column's name (a button that sorts), its type, and its profile.
 *
 * A plain table, not a virtualised one, so find-in-page, copy and screen readers see every row.
 * A 10,000-row page takes about 1.3 s to lay out in Chromium (e2e/26-row-browser.spec.ts
 * measures it), so a big page paints its first rows at once and the rest a frame later. The
 * body is memoised so stats arriving later do not re-render the rows.
 */
export function RowTable({
  columns,
  rows,
  offset,
  view,
  onChange,
  stats,
  statsState,
  busy,
  labelledBy,
}: {
  columns: BrowserColumnMeta[];
  rows: (string | null)[][];
  offset: number;
  view: RowsView;
  onChange: (view: RowsView) => void;
  stats: Map<string, ColumnStat> | null;
  statsState: "loading" | "ok" | "error";
  busy: boolean;
  labelledBy: string;
}) {
  const sortBy = (name: string) => {
    // Unsorted → ascending → descending → unsorted (file order).
    const next =
      view.sort !== name
        ? { sort: name, dir: "asc" as const }
        : view.dir === "asc"
          ? { sort: name, dir: "desc" as const }
          : { sort: undefined, dir: "asc" as const };
    onChange({ ...view, ...next, page: 1 });
  };
  return (
    <div
      className="max-h-[70vh] min-w-0 overflow-auto border-y focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
      role="region"
      aria-labelledby={labelledBy}
      aria-busy={busy}
      // Focusable so the keyboard can scroll it (axe: scrollable-region-focusable).
      tabIndex={0}
      data-testid="rows-box"
    >
      <table className="w-full caption-bottom text-sm" data-testid="preview-table">
        <thead className="bg-background sticky top-0 z-10 shadow-[0_1px_0_var(--border)]">
          <tr>
            <th scope="col" className="text-muted-foreground w-12 px-2 pl-4 text-left align-bottom text-xs font-normal">
              <span className="sr-only">Row number</span>#
            </th>
            {columns.map((c) => {
              const sorted = view.sort === c.name ? view.dir : null;
              const SortIcon = sorted === "asc" ? ArrowUpIcon : sorted === "desc" ? ArrowDownIcon : ArrowUpDownIcon;
              return (
                <th
                  key={c.name}
                  scope="col"
                  aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                  className="px-2 py-1.5 text-left align-bottom font-medium whitespace-nowrap"
                >
                  <button
                    type="button"
                    onClick={() => sortBy(c.name)}
                    // The header cell's aria-sort says how it is sorted now.
                    aria-label={`Sort by ${c.name}`}
                    className="hover:bg-muted -mx-1 inline-flex items-center gap-1 rounded-sm px-1 font-mono text-xs outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
                    title={c.header !== c.name ? `Header in the file: ${c.header}` : undefined}
                  >
                    {c.name}
                    <SortIcon className={sorted ? "size-3.5" : "text-muted-foreground size-3.5"} aria-hidden="true" />
                  </button>
                  <span className="text-muted-foreground block text-xs font-normal" data-testid="column-type">
                    {c.label}
                  </span>
                  <ColumnProfile stat={stats?.get(c.name)} state={statsState} />
                </th>
              );
            })}
          </tr>
        </thead>
        <RowBody rows={useFirstRowsFirst(rows)} offset={offset} />
      </table>
    </div>
  );
}

function ColumnProfile({ stat, state }: { stat: ColumnStat | undefined; state: "loading" | "ok" | "error" }) {
  if (!stat) {
    return (
      <span className="text-muted-foreground block text-xs font-normal" data-testid="column-stats">
        {state === "loading" ? "Profiling…" : state === "error" ? "No profile" : "—"}
      </span>
    );
  }
  const range = stat.min === null ? "no values" : stat.min === stat.max ? clip(stat.min) : `${clip(stat.min)} – ${clip(stat.max ?? "")}`;
  return (
    <span
      className="text-muted-foreground block max-w-64 truncate text-xs font-normal tabular-nums"
      data-testid="column-stats"
      title={`${stat.distinct} distinct, ${stat.nulls} empty; min ${stat.min ?? "—"}, max ${stat.max ?? "—"}`}
    >
      <span data-testid="column-distinct">{formatCount(stat.distinct)} distinct</span> · {formatCount(stat.nulls)} empty
      <span className="block truncate">{range}</span>
    </span>
  );
}

function clip(value: string): string {
  return value.length > 24 ? `${value.slice(0, 24)}…` : value;
}

/** The rows painted before the rest of a big page: more than a tall screen holds. */
const FIRST_PAINT_ROWS = 200;

/**
 * A big page as its first rows, then (after the browser has painted them) all of them: the
 * user sees rows within a frame instead of waiting for 10,000 rows' layout.
 */
function useFirstRowsFirst<T>(rows: T[]): T[] {
  const [complete, setComplete] = useState<T[] | null>(null);
  const first = useMemo(() => (rows.length > FIRST_PAINT_ROWS ? rows.slice(0, FIRST_PAINT_ROWS) : rows), [rows]);
  useEffect(() => {
    if (first === rows) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A frame, then a task: the first rows are on screen before the long render starts.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setComplete(rows), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [rows, first]);
  return complete === rows ? rows : first;
}

/** Memoised: re-renders only when the rows change (not when stats arrive or a filter is typed). */
const RowBody = memo(function RowBody({ rows, offset }: { rows: (string | null)[][]; offset: number }) {
  return (
    <tbody className="[&_tr:last-child]:border-0">
      {rows.map((values, i) => (
        <tr key={offset + i} className="hover:bg-muted/50 border-b">
          <td className="text-muted-foreground px-2 py-1.5 pl-4 tabular-nums">{offset + i + 1}</td>
          {values.map((value, j) =>
            // Text straight in the cell (no wrapper per value): a 10,000-row page is 10,000 × columns cells.
            value === null ? (
              <td key={j} className="text-muted-foreground px-2 py-1.5" title="NULL">
                <span aria-hidden="true">—</span>
                <span className="sr-only">NULL</span>
              </td>
            ) : (
              <td key={j} className="max-w-80 truncate px-2 py-1.5 whitespace-nowrap" title={value.length > 40 ? value : undefined}>
                {value}
              </td>
            ),
          )}
        </tr>
      ))}
    </tbody>
  );
});
