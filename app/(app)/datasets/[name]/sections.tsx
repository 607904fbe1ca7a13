import { CircleAlertIcon, TriangleAlertIcon } from "lucide-react";
import { columnTypes, type Dataset, type DatasetLoad, type DatasetVersion } from "@/db/schema/datasets";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { LoadStatusBadge, phaseLabel } from "@/components/dataset-status";
import { versionSourceLabel } from "../format";
import { formatBytes, formatCount, formatDateTime, formatDuration, formatRelativeTime } from "@/lib/format";
import { ColumnTypeForm } from "./column-type-form";
import { ReloadVersionButton } from "./reload-version-button";
import { DateOrderButtons } from "./read-options";
import { SchemaChangesText } from "./schema-changes";

// The dataset page's server-rendered sections. Everything from the file (headers, values, raw
// lines, error text) is rendered as React text.

const SKIPPED_SHOWN = 100;
const RAW_EXCERPT = 160;

function When({ date, now }: { date: Date; now: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelativeTime(date, now)}
    </time>
  );
}

export function LoadErrorAlert({ load, hasData }: { load: DatasetLoad; hasData: boolean }) {
  const error = load.error;
  if (!error) return null;
  return (
    <Alert variant="destructive" data-testid="load-error">
      <CircleAlertIcon aria-hidden="true" />
      <AlertTitle>The last load failed</AlertTitle>
      <AlertDescription>
        <p className="break-words">{error.message}</p>
        {error.line !== undefined || error.column !== undefined || error.code ? (
          <dl className="flex flex-wrap gap-x-6 gap-y-1 text-xs">
            {error.line !== undefined ? (
              <div className="flex gap-1">
                <dt>Line</dt>
                <dd className="font-medium tabular-nums" data-testid="load-error-line">
                  {formatCount(error.line)}
                </dd>
              </div>
            ) : null}
            {error.column !== undefined ? (
              <div className="flex gap-1">
                <dt>Column</dt>
                <dd className="font-medium">{error.column}</dd>
              </div>
            ) : null}
            {error.code ? (
              <div className="flex gap-1">
                <dt>Code</dt>
                <dd className="font-mono">{error.code}</dd>
              </div>
            ) : null}
          </dl>
        ) : null}
        {error.detail ? (
          <pre className="bg-background/60 max-w-full overflow-x-auto rounded p-2 font-mono text-xs whitespace-pre-wrap">
            {error.detail}
          </pre>
        ) : null}
        <p className="text-xs">
          {hasData ? "The tables still hold the data of the last successful load." : "Nothing has been loaded into the tables yet."}
        </p>
      </AlertDescription>
    </Alert>
  );
}

/** A load that succeeded but padded or skipped rows, or left a column text for a reason: said plainly. */
export function LoadWarnings({ load }: { load: DatasetLoad }) {
  if (!load.warnings?.length) return null;
  return (
    <Alert data-testid="load-warnings" className="border-amber-300 dark:border-amber-700">
      <TriangleAlertIcon aria-hidden="true" className="text-amber-600" />
      <AlertTitle>Loaded with {load.warnings.length === 1 ? "a warning" : `${load.warnings.length} warnings`}</AlertTitle>
      <AlertDescription>
        <ul className="list-disc pl-4">
          {load.warnings.map((w, i) => (
            <li key={i}>{w.message}</li>
          ))}
        </ul>
      </AlertDescription>
    </Alert>
  );
}

export function SkippedRowsTable({ load }: { load: DatasetLoad }) {
  const skipped = load.skippedRows ?? [];
  if (skipped.length === 0) return null;
  return (
    <section aria-labelledby="skipped-heading" className="flex flex-col gap-2" data-testid="skipped-rows">
      <h3 id="skipped-heading" className="text-sm font-semibold">
        {formatCount(Math.max(load.rowsSkipped ?? 0, skipped.length))}{" "}
        {Math.max(load.rowsSkipped ?? 0, skipped.length) === 1 ? "row was" : "rows were"} skipped in the last load
      </h3>
      <div className="rounded-md border">
        <Table aria-labelledby="skipped-heading">
          <TableHeader>
            <TableRow>
              <TableHead className="pl-3 text-right">Line</TableHead>
              <TableHead>Reason</TableHead>
              <TableHead className="pr-3">Raw line (excerpt)</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {skipped.slice(0, SKIPPED_SHOWN).map((row, i) => (
              <TableRow key={`${row.line}-${i}`}>
                <TableCell className="pl-3 text-right tabular-nums">{formatCount(row.line)}</TableCell>
                <TableCell className="min-w-48 whitespace-normal">{row.reason}</TableCell>
                <TableCell className="max-w-96 truncate pr-3 font-mono text-xs" title={row.raw}>
                  {row.raw === undefined ? (
                    <span className="text-muted-foreground">—</span>
                  ) : row.raw.length > RAW_EXCERPT ? (
                    `${row.raw.slice(0, RAW_EXCERPT)}…`
                  ) : (
                    row.raw
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {skipped.length > SKIPPED_SHOWN ? <p className="text-muted-foreground text-xs">Showing the first {SKIPPED_SHOWN}.</p> : null}
    </section>
  );
}

export function SchemaTable({ dataset, canEdit, busy }: { dataset: Dataset; canEdit: boolean; busy: boolean }) {
  const editable = canEdit && !busy && Boolean(dataset.currentVersionId);
  return (
    <div className="flex flex-col gap-3">
      {canEdit ? (
        <p id="type-hint" className="text-muted-foreground text-sm">
          Changing a type reloads the current version with it. If any value does not fit (say, text in a bigint column), that load fails and
          names the line; the tables keep their previous data and the new type stays selected until you change it back.
          {busy ? " Wait for the running load to finish." : ""}
          {!dataset.currentVersionId ? " Types can be changed once the dataset has loaded." : ""}
        </p>
      ) : null}
      <Table aria-labelledby="schema-heading" data-testid="schema-table">
        <TableHeader>
          <TableRow>
            <TableHead className="pl-4">Column</TableHead>
            <TableHead>Original header</TableHead>
            <TableHead>Inferred type</TableHead>
            <TableHead className="pr-4">{canEdit ? "Type override" : "Type"}</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {dataset.columns.map((c) => (
            <TableRow key={c.name} data-column={c.name}>
              <TableCell className="pl-4 font-mono text-xs">{c.name}</TableCell>
              <TableCell className="max-w-64 truncate" title={c.header}>
                {c.header === "" ? <span className="text-muted-foreground">(empty)</span> : c.header}
              </TableCell>
              <TableCell className="text-xs">
                <span className="font-mono">{c.inferredType}</span>
                {c.format && c.format !== "plain" ? <span className="text-muted-foreground"> ({c.format})</span> : null}
                {c.nullMarkers?.length ? (
                  <span className="text-muted-foreground block" title={c.nullMarkers.join(", ")}>
                    null markers read as NULL
                  </span>
                ) : null}
                {c.note ? (
                  <span className="block max-w-80 whitespace-normal text-amber-700 dark:text-amber-300" data-testid="column-note">
                    {c.note}
                  </span>
                ) : null}
                {c.note && c.note.includes("day/month") && canEdit ? (
                  <DateOrderButtons datasetId={dataset.id} disabled={!editable} />
                ) : null}
              </TableCell>
              <TableCell className="pr-4">
                {canEdit ? (
                  <ColumnTypeForm
                    datasetId={dataset.id}
                    column={c.name}
                    inferredType={c.inferredType}
                    overrideType={c.overrideType ?? null}
                    types={columnTypes}
                    disabled={!editable}
                    describedById="type-hint"
                  />
                ) : (
                  <span className="flex items-center gap-2">
                    <span className="font-mono text-xs">{c.overrideType ?? c.inferredType}</span>
                    {c.overrideType ? <Badge variant="secondary">override</Badge> : null}
                  </span>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

export function VersionsTable({
  datasetId,
  versions,
  currentVersionId,
  canEdit,
  busy,
  now,
}: {
  datasetId: string;
  versions: DatasetVersion[];
  currentVersionId: string | null;
  canEdit: boolean;
  busy: boolean;
  now: Date;
}) {
  if (versions.length === 0) {
    return (
      <p className="text-muted-foreground px-6 text-sm">No version stored yet: the first one appears when the file has been fetched.</p>
    );
  }
  return (
    <Table aria-labelledby="versions-heading" data-testid="versions-table">
      <TableHeader>
        <TableRow>
          <TableHead className="pl-6">Version</TableHead>
          <TableHead className="text-right">Size</TableHead>
          <TableHead>SHA-256</TableHead>
          <TableHead className="text-right">Rows</TableHead>
          <TableHead>Source</TableHead>
          <TableHead>Stored</TableHead>
          <TableHead>Schema changes</TableHead>
          <TableHead className="pr-6 text-right">
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {versions.map((v) => (
          <TableRow key={v.id}>
            <TableCell className="pl-6">
              <span className="flex items-center gap-2">
                <span className="font-medium tabular-nums">v{v.version}</span>
                {v.id === currentVersionId ? <Badge variant="outline">current</Badge> : null}
              </span>
            </TableCell>
            <TableCell className="text-right tabular-nums" title={`${formatCount(v.bytes)} bytes`}>
              {formatBytes(v.bytes)}
            </TableCell>
            <TableCell className="font-mono text-xs" title={v.sha256}>
              {v.sha256.slice(0, 12)}
            </TableCell>
            <TableCell className="text-right tabular-nums">{formatCount(v.rowCount)}</TableCell>
            <TableCell className="max-w-56 truncate" title={v.source}>
              {versionSourceLabel(v.source)}
            </TableCell>
            <TableCell>
              <When date={v.createdAt} now={now} />
            </TableCell>
            <TableCell className="min-w-48 text-sm whitespace-normal" data-testid="version-schema-changes">
              <SchemaChangesText changes={v.schemaChanges ?? null} />
            </TableCell>
            <TableCell className="pr-6">
              <div className="flex items-start justify-end gap-2">
                <a
                  href={`/api/datasets/${datasetId}/versions/${v.id}/download`}
                  download
                  className="text-primary inline-flex h-8 items-center rounded-md px-2 text-sm font-medium underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
                >
                  Download<span className="sr-only"> version {v.version}</span>
                </a>
                {canEdit ? <ReloadVersionButton datasetId={datasetId} versionId={v.id} version={v.version} disabled={busy} /> : null}
              </div>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function loadSummary(load: DatasetLoad): string {
  if (load.status === "failed") return load.error?.message ?? "Failed";
  if (load.status === "unchanged") return "Same content as the latest version";
  if (load.status === "queued") return load.error ? `Retrying: ${load.error.message}` : "Waiting for a worker";
  if (load.status === "running") return load.phase ? `In progress: ${phaseLabel(load.phase)}` : "In progress";
  if (load.status === "cancelled") return "Cancelled";
  const skipped = load.skippedRows?.length ?? 0;
  return skipped ? `${formatCount(skipped)} rows skipped` : "";
}

function timingsTitle(timings: Record<string, number>): string | undefined {
  const parts = Object.entries(timings ?? {}).map(([phase, ms]) => `${phase} ${formatDuration(ms)}`);
  return parts.length ? parts.join(" · ") : undefined;
}

export function LoadsTable({ loads, versionNumbers, now }: { loads: DatasetLoad[]; versionNumbers: Map<string, number>; now: Date }) {
  if (loads.length === 0) return <p className="text-muted-foreground px-6 text-sm">No loads yet.</p>;
  return (
    <Table aria-labelledby="loads-heading" data-testid="loads-table">
      <TableHeader>
        <TableRow>
          <TableHead className="pl-6">Status</TableHead>
          <TableHead>Requested</TableHead>
          <TableHead className="text-right">Duration</TableHead>
          <TableHead className="text-right">Rows</TableHead>
          <TableHead>Version</TableHead>
          <TableHead className="pr-6">Details</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {loads.map((load) => {
          const duration = load.startedAt && load.finishedAt ? load.finishedAt.getTime() - load.startedAt.getTime() : null;
          const version = load.versionId ? versionNumbers.get(load.versionId) : undefined;
          const summary = loadSummary(load);
          return (
            <TableRow key={load.id}>
              <TableCell className="pl-6">
                <LoadStatusBadge status={load.status} />
              </TableCell>
              <TableCell>
                <When date={load.createdAt} now={now} />
              </TableCell>
              <TableCell className="text-right tabular-nums" title={timingsTitle(load.timings)}>
                {duration === null ? "—" : formatDuration(duration)}
              </TableCell>
              <TableCell className="text-right tabular-nums">
                {load.status === "succeeded" || load.rowsLoaded ? formatCount(load.rowsLoaded) : "—"}
              </TableCell>
              <TableCell className="tabular-nums">{version ? `v${version}` : "—"}</TableCell>
              <TableCell
                className={
                  load.status === "failed" ? "text-destructive max-w-96 truncate pr-6" : "text-muted-foreground max-w-96 truncate pr-6"
                }
                title={summary || undefined}
              >
                {load.status === "failed" && load.error?.line && !/\bline\b/i.test(summary) ? `Line ${formatCount(load.error.line)}: ` : ""}
                {summary || "—"}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
