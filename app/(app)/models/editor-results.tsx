import { CircleAlertIcon } from "lucide-react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ResultsTable } from "@/components/models/results-table";
import { SqlView } from "@/components/models/sql-view";
import type { CompileOutput, PreviewOutput } from "./actions";

/** The compiled SQL; an incremental model shows its first (full) build and its later runs. */
export function CompiledCard({ compiled }: { compiled: CompileOutput }) {
  const reads = [...compiled.refs.map((r) => `ref ${r}`), ...compiled.sources.map((s) => `source ${s}`)];
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Compiled SQL</h2>
        </CardTitle>
        <CardDescription>What runs in the warehouse{reads.length ? `; reads ${reads.join(", ")}` : ""}.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {compiled.incrementalSql !== null ? <h3 className="text-sm font-medium">First build (full)</h3> : null}
        <SqlView value={compiled.sql} label="Compiled SQL" testId="compiled-sql" />
        {compiled.incrementalSql !== null ? (
          <>
            <h3 className="text-sm font-medium">Later builds (is_incremental())</h3>
            <SqlView value={compiled.incrementalSql} label="Compiled SQL of incremental builds" testId="compiled-sql-incremental" />
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** The first rows of the editor's query (data-testid="preview-table"), or why it failed. */
export function PreviewCard({ preview, error }: { preview: PreviewOutput | null; error?: string }) {
  const count = preview?.rows.length ?? 0;
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Preview</h2>
        </CardTitle>
        <CardDescription>
          {preview
            ? `${count} ${count === 1 ? "row" : "rows"}${count >= 100 ? " (the first 100)" : ""}, read-only, from the current editor text.`
            : "The query failed."}
        </CardDescription>
      </CardHeader>
      <CardContent>
        {error ? (
          <Alert variant="destructive" data-testid="preview-error">
            <CircleAlertIcon aria-hidden="true" />
            <AlertDescription>
              <p className="break-words whitespace-pre-wrap">{error}</p>
            </AlertDescription>
          </Alert>
        ) : preview && preview.columns.length ? (
          <div className="max-h-[32rem] overflow-auto rounded-md border">
            <ResultsTable columns={preview.columns} rows={preview.rows} caption="Preview rows" testId="preview-table" />
          </div>
        ) : (
          <p className="text-muted-foreground text-sm">The query returns no columns.</p>
        )}
      </CardContent>
    </Card>
  );
}
