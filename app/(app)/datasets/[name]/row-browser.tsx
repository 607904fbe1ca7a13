"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { useSearchParams } from "next/navigation";
import { CircleAlertIcon } from "lucide-react";
import type { ColumnStat } from "@/db/schema/dataset-stats";
import type { ColumnType } from "@/db/schema/datasets";
import { rowsView, viewFromParams, viewToParams, type RowsView } from "@/lib/validation/dataset-rows";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { RowFilterBar } from "./row-filter-bar";
import { RowPager } from "./row-pager";
import { RowTable } from "./row-table";

export type BrowserColumnMeta = { name: string; header: string; type: ColumnType; label: string };

type RowsAnswer = { rows: (string | null)[][]; total: number; page: number; size: number; pageCount: number };
type Loaded<T> = { state: "loading" } | { state: "ok"; data: T } | { state: "error"; message: string };

/**
 * The dataset's rows, sorted, filtered and paged on the server. The view lives in the page's URL
 * (pushState, so a view is a link and Back returns to the previous one); rows and the column
 * stats are fetched separately, so a slow first profile never holds the rows back.
 */
export function RowBrowser({
  datasetId,
  contentKey,
  columns,
  labelledBy,
}: {
  datasetId: string;
  /** Changes when a load swaps the table: rows and stats are fetched again. */
  contentKey: string;
  columns: BrowserColumnMeta[];
  labelledBy: string;
}) {
  const params = useSearchParams();
  const parsed = useMemo(() => rowsView.safeParse(viewFromParams(new URLSearchParams(params.toString()))), [params]);
  const view = useMemo(() => (parsed.success ? parsed.data : rowsView.parse({})), [parsed]);
  const query = viewToParams(view).toString();

  const setView = useCallback((next: RowsView) => {
    const qs = viewToParams(next).toString();
    // Next.js syncs useSearchParams with the native history API, without a server round trip.
    window.history.pushState(null, "", `${window.location.pathname}${qs ? `?${qs}` : ""}`);
  }, []);

  const rows = useJson<RowsAnswer>(`/api/datasets/${datasetId}/rows?${query}`, contentKey);
  const stats = useJson<{ stats: { columns: ColumnStat[] } | null }>(`/api/datasets/${datasetId}/stats`, contentKey);
  const statsByName = useMemo(
    () =>
      stats.answer.state === "ok" && stats.answer.data.stats ? new Map(stats.answer.data.stats.columns.map((s) => [s.name, s])) : null,
    [stats],
  );
  // The last rows stay on screen while the next ones load, so the table does not jump.
  const shown = rows.last;

  const problem = !parsed.success
    ? "This link's view of the rows is not valid."
    : rows.answer.state === "error"
      ? rows.answer.message
      : null;

  return (
    <div className="flex min-w-0 flex-col gap-3" data-testid="row-browser">
      <RowFilterBar columns={columns} view={view} onChange={setView} />
      {problem ? (
        <div className="px-6">
          <Alert variant="destructive" data-testid="rows-error">
            <CircleAlertIcon aria-hidden="true" />
            <AlertTitle>The rows could not be shown</AlertTitle>
            <AlertDescription className="flex flex-col items-start gap-2">
              <span>{problem}</span>
              <Button type="button" variant="outline" size="sm" onClick={() => setView(rowsView.parse({}))}>
                Show all rows
              </Button>
            </AlertDescription>
          </Alert>
        </div>
      ) : null}
      {shown && shown.total === 0 && rows.answer.state === "ok" ? (
        <p className="text-muted-foreground px-6 text-sm" data-testid="rows-empty">
          {view.filters.length ? "No rows match the filters." : "No rows to show yet."}
        </p>
      ) : null}
      <RowTable
        columns={columns}
        rows={shown?.rows ?? []}
        offset={shown ? (shown.page - 1) * shown.size : 0}
        view={view}
        onChange={setView}
        stats={statsByName}
        statsState={stats.answer.state}
        busy={rows.answer.state === "loading"}
        labelledBy={labelledBy}
      />
      {shown ? <RowPager view={view} answer={shown} busy={rows.answer.state === "loading"} onChange={setView} /> : null}
    </div>
  );
}

/**
 * GET a JSON answer, refetched when the URL or `epoch` changes; a superseded request is aborted.
 * `last` is the newest answer that succeeded, for showing while the next one loads.
 */
function useJson<T>(url: string, epoch: string): { answer: Loaded<T>; last: T | null } {
  const [result, setResult] = useState<{ key: string; value: Loaded<T>; last: T | null }>({
    key: "",
    value: { state: "loading" },
    last: null,
  });
  const key = `${url}#${epoch}`;
  useEffect(() => {
    const controller = new AbortController();
    fetch(url, { signal: controller.signal, headers: { accept: "application/json" } })
      .then(async (res) => {
        const body = await res.json().catch(() => null);
        // Superseded while its body was read: the newer request answers, not this one.
        if (controller.signal.aborted) return;
        if (!res.ok || body === null) {
          const message =
            (body as { error?: { message?: string } } | null)?.error?.message ??
            (res.ok ? "The server's answer could not be read." : `The server answered ${res.status}.`);
          setResult((r) => ({ key, value: { state: "error", message }, last: r.last }));
        } else setResult({ key, value: { state: "ok", data: body as T }, last: body as T });
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setResult((r) => ({ key, value: { state: "error", message: String(err) }, last: r.last }));
      });
    return () => controller.abort();
  }, [url, key]);
  return { answer: result.key === key ? result.value : { state: "loading" }, last: result.last };
}
