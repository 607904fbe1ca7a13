"use client";

import type { FormEvent } from "react";
import { ChevronFirstIcon, ChevronLastIcon, ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import { PAGE_SIZES, type RowsView } from "@/lib/validation/dataset-rows";
import { formatCount } from "@/lib/format";
import { NativeSelect } from "@/components/pipelines/native-select";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

type Answer = { total: number; page: number; size: number; pageCount: number; rows: unknown[] };

/** Where the page is in the filtered rows, how many rows a page holds, and the way to any page. */
export function RowPager({
  view,
  answer,
  busy,
  onChange,
}: {
  view: RowsView;
  answer: Answer;
  busy: boolean;
  onChange: (view: RowsView) => void;
}) {
  const { page, pageCount, total } = answer;
  const from = answer.rows.length ? (page - 1) * answer.size + 1 : 0;
  const to = from ? from + answer.rows.length - 1 : 0;
  const go = (n: number) => onChange({ ...view, page: Math.min(Math.max(1, n), pageCount) });
  const jump = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const n = Number(new FormData(event.currentTarget).get("page"));
    if (Number.isInteger(n)) go(n);
  };

  return (
    <nav aria-label="Row pages" className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 px-6">
      <p className="text-muted-foreground text-sm tabular-nums" role="status" data-testid="preview-range">
        {total ? `Rows ${formatCount(from)}–${formatCount(to)} of ${formatCount(total)}` : "0 rows"}
        {busy ? <span className="sr-only"> (loading)</span> : null}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <div className="flex items-center gap-2">
          <Label htmlFor="rows-page-size" className="text-sm font-normal whitespace-nowrap">
            Rows per page
          </Label>
          <NativeSelect
            id="rows-page-size"
            className="w-24"
            value={String(view.size)}
            onChange={(e) => onChange({ ...view, size: Number(e.target.value), page: 1 })}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {formatCount(n)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex flex-wrap items-center gap-1">
          <Button type="button" variant="outline" size="icon" disabled={page <= 1} onClick={() => go(1)} aria-label="First page">
            <ChevronFirstIcon aria-hidden="true" />
          </Button>
          <Button type="button" variant="outline" size="icon" disabled={page <= 1} onClick={() => go(page - 1)} aria-label="Previous page">
            <ChevronLeftIcon aria-hidden="true" />
          </Button>
          {/* Keyed by the page served, so the box shows it again after any move. */}
          <form key={page} onSubmit={jump} className="flex items-center gap-1" aria-label="Go to page">
            <Label htmlFor="rows-page" className="text-sm font-normal">
              Page
            </Label>
            <Input id="rows-page" className="h-9 w-16 tabular-nums" inputMode="numeric" name="page" defaultValue={String(page)} />
            <span className="text-muted-foreground text-sm whitespace-nowrap tabular-nums">of {formatCount(pageCount)}</span>
            <Button type="submit" variant="outline" size="sm">
              Go
            </Button>
          </form>
          <Button
            type="button"
            variant="outline"
            size="icon"
            disabled={page >= pageCount}
            onClick={() => go(page + 1)}
            aria-label="Next page"
          >
            <ChevronRightIcon aria-hidden="true" />
          </Button>
          <Button
            type="button"
            variant="outline"
            size="icon"
            disabled={page >= pageCount}
            onClick={() => go(pageCount)}
            aria-label="Last page"
          >
            <ChevronLastIcon aria-hidden="true" />
          </Button>
        </div>
      </div>
    </nav>
  );
}
