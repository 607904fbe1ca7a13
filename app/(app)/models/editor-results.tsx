"use client";

import { forwardRef, type ReactNode } from "react";
import { CircleAlertIcon, InfoIcon } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { ResultsTable } from "@/components/models/results-table";
import { SqlView } from "@/components/models/sql-view";
import type { CompileOutput, PreviewOutput } from "./actions";

export type ResultTab = "results" | "compiled" | "errors" | "tests";

export type SqlError = { message: string; line: number; column?: number };

/** Hidden, not unmounted, when another tab is chosen: the editor's aria-describedby keeps its target. */
const PANEL = "mt-1 min-h-0 overflow-auto rounded-lg border p-3 data-[state=inactive]:hidden lg:max-h-[calc(100vh-20rem)] lg:min-h-64";

/**
 * The editor's right pane (below the editor on narrow screens): the preview's rows, the compiled
 * SQL, the errors and the last build's data tests, one tab each. The editor picks the tab that
 * answers the last action, so Compile or Preview always shows its result without scrolling.
 */
export const ResultsPane = forwardRef<
  HTMLElement,
  {
    tab: ResultTab;
    onTab: (tab: ResultTab) => void;
    preview: PreviewOutput | null;
    compiled: CompileOutput | null;
    sqlError: SqlError | null;
    previewError?: string;
    /** The SQL changed since the results shown were made (they are cleared; this says why). */
    edited: boolean;
    tests: ReactNode;
    testsFailing?: boolean;
  }
>(function ResultsPane({ tab, onTab, preview, compiled, sqlError, previewError, edited, tests, testsFailing }, ref) {
  const errorCount = (sqlError ? 1 : 0) + (previewError ? 1 : 0);
  return (
    <section ref={ref} aria-label="Results" className="flex min-w-0 scroll-mt-40 flex-col" data-testid="results-pane">
      <Tabs value={tab} onValueChange={(v) => onTab(v as ResultTab)} className="min-w-0 gap-0">
        <TabsList className="w-full">
          <TabsTrigger value="results">Results</TabsTrigger>
          {/* "SQL" only where there is room; the name is whole everywhere. */}
          <TabsTrigger value="compiled" aria-label="Compiled SQL">
            Compiled<span className="hidden sm:inline">SQL</span>
          </TabsTrigger>
          <TabsTrigger value="errors">
            Errors
            {errorCount ? (
              <span className="bg-destructive rounded-full px-1.5 text-xs text-white tabular-nums" aria-label={`(${errorCount})`}>
                {errorCount}
              </span>
            ) : null}
          </TabsTrigger>
          <TabsTrigger value="tests">
            Tests
            {testsFailing ? <CircleAlertIcon className="text-destructive" aria-label="(failing)" /> : null}
          </TabsTrigger>
        </TabsList>
        <TabsContent value="results" forceMount className={PANEL} data-testid="results-panel">
          <PreviewResult preview={preview} edited={edited} failed={Boolean(previewError || sqlError)} />
        </TabsContent>
        <TabsContent value="compiled" forceMount className={PANEL}>
          <CompiledResult compiled={compiled} edited={edited} />
        </TabsContent>
        <TabsContent value="errors" forceMount className={PANEL}>
          <Errors sqlError={sqlError} previewError={previewError} edited={edited} />
        </TabsContent>
        <TabsContent value="tests" forceMount className={PANEL}>
          {tests}
        </TabsContent>
      </Tabs>
    </section>
  );
});

function Note({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className="text-muted-foreground flex items-start gap-2 text-sm" data-testid={testId}>
      <InfoIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <span>{children}</span>
    </p>
  );
}

/** The first rows of the editor's query (data-testid="preview-table"). */
function PreviewResult({ preview, edited, failed }: { preview: PreviewOutput | null; edited: boolean; failed: boolean }) {
  if (!preview) {
    if (failed) return <Note>The preview failed; the Errors tab says why.</Note>;
    return edited ? (
      <Note testId="results-stale">
        The SQL changed since the last preview, so its rows are gone. Preview again (Ctrl+Enter) to see the new ones.
      </Note>
    ) : (
      <Note>Preview (Ctrl+Enter) runs the SQL as it is in the editor, read-only, and shows the first 100 rows here.</Note>
    );
  }
  const count = preview.rows.length;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-muted-foreground text-xs" data-testid="preview-summary">
        {count} {count === 1 ? "row" : "rows"}
        {count >= 100 ? " (the first 100)" : ""}, read-only, from the current editor text.
      </p>
      {preview.columns.length ? (
        <div className="overflow-auto rounded-md border">
          <ResultsTable columns={preview.columns} rows={preview.rows} caption="Preview rows" testId="preview-table" />
        </div>
      ) : (
        <p className="text-muted-foreground text-sm">The query returns no columns.</p>
      )}
    </div>
  );
}

/** The compiled SQL; an incremental model shows its first (full) build and its later runs. */
function CompiledResult({ compiled, edited }: { compiled: CompileOutput | null; edited: boolean }) {
  if (!compiled) {
    return edited ? (
      <Note testId="compiled-stale">The SQL changed since it was compiled. Compile again to see what runs.</Note>
    ) : (
      <Note>Compile turns the refs into warehouse names and checks every column against the catalog, without running anything.</Note>
    );
  }
  const reads = [...compiled.refs.map((r) => `ref ${r}`), ...compiled.sources.map((s) => `source ${s}`)];
  return (
    <div className="flex flex-col gap-3">
      <p className="text-muted-foreground text-xs">
        What runs in the warehouse{reads.length ? `; reads ${reads.join(", ")}` : ""}.
        {compiled.columns.length ? ` Columns: ${compiled.columns.join(", ")}.` : ""}
      </p>
      {compiled.unchecked ? <Note testId="compile-unchecked">{compiled.unchecked}</Note> : null}
      {compiled.incrementalSql !== null ? <h3 className="text-sm font-medium">First build (full)</h3> : null}
      <SqlView value={compiled.sql} label="Compiled SQL" testId="compiled-sql" />
      {compiled.incrementalSql !== null ? (
        <>
          <h3 className="text-sm font-medium">Later builds (is_incremental())</h3>
          <SqlView value={compiled.incrementalSql} label="Compiled SQL of incremental builds" testId="compiled-sql-incremental" />
        </>
      ) : null}
    </div>
  );
}

function Errors({ sqlError, previewError, edited }: { sqlError: SqlError | null; previewError?: string; edited: boolean }) {
  if (!sqlError && !previewError) return <Note>No errors. Compile and Preview report here, with the line and column.</Note>;
  return (
    <div className="flex flex-col gap-3">
      {sqlError ? (
        <Alert variant="destructive" role="alert" id="compile-error" data-testid="compile-error">
          <CircleAlertIcon aria-hidden="true" />
          <AlertTitle>
            {sqlError.line > 0
              ? `Error on line ${sqlError.line}${sqlError.column ? `, column ${sqlError.column}` : ""}`
              : "The SQL does not compile"}
          </AlertTitle>
          <AlertDescription>
            <p className="break-words whitespace-pre-wrap">{sqlError.message}</p>
          </AlertDescription>
        </Alert>
      ) : null}
      {previewError ? (
        <Alert variant="destructive" role="alert" data-testid="preview-error">
          <CircleAlertIcon aria-hidden="true" />
          <AlertTitle>The preview failed</AlertTitle>
          <AlertDescription>
            <p className="break-words whitespace-pre-wrap">{previewError}</p>
          </AlertDescription>
        </Alert>
      ) : null}
      {edited ? <Note testId="errors-stale">You have edited the SQL since; Compile or Preview again to check it.</Note> : null}
    </div>
  );
}
