"use client";

import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { delimiterLabel } from "../format";
import { formatBytes } from "@/lib/format";
import type { CsvPreview } from "./csv-preview";

/** What the browser read from the chosen file: delimiter, columns and the first rows, as text. */
export function FilePreview({
  file,
  preview,
  encoding,
}: {
  file: File;
  preview: CsvPreview;
  encoding?: { label: string; detected: boolean };
}) {
  const width = Math.max(preview.headers.length, ...preview.rows.map((r) => r.length));
  const columns = Array.from({ length: width }, (_, i) => i);
  return (
    <section aria-labelledby="file-preview-heading" data-testid="file-preview" className="flex min-w-0 flex-col gap-3">
      <div className="flex flex-col gap-1">
        <h3 id="file-preview-heading" className="text-sm font-semibold">
          Preview of {file.name}
        </h3>
        <dl className="text-muted-foreground flex flex-wrap gap-x-6 gap-y-1 text-xs">
          <div className="flex gap-1">
            <dt>Size:</dt>
            <dd className="text-foreground">{formatBytes(file.size)}</dd>
          </div>
          <div className="flex gap-1">
            <dt>Delimiter{preview.detected ? " (detected)" : ""}:</dt>
            <dd className="text-foreground" data-testid="preview-delimiter">
              {delimiterLabel(preview.delimiter)}
            </dd>
          </div>
          {encoding ? (
            <div className="flex gap-1">
              <dt>Encoding{encoding.detected ? " (detected)" : ""}:</dt>
              <dd className="text-foreground" data-testid="preview-encoding">
                {encoding.label}
              </dd>
            </div>
          ) : null}
          <div className="flex gap-1">
            <dt>
              {preview.header ? "Header" : "Data"}
              {preview.headerDetected ? " (detected)" : ""}:
            </dt>
            <dd className="text-foreground" data-testid="preview-header-line">
              line {preview.headerLine}
              {preview.headerLine > 1 ? ` (lines 1–${preview.headerLine - 1} skipped)` : ""}
              {preview.header ? "" : ", no header row"}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt>Columns:</dt>
            <dd className="text-foreground">
              {preview.headers.length}
              {preview.trailingDelimiter ? " (each line ends with the delimiter)" : ""}
            </dd>
          </div>
        </dl>
      </div>

      {preview.warnings.length ? (
        <ul className="text-xs text-amber-800 dark:text-amber-300">
          {preview.warnings.map((w) => (
            <li key={w}>In the first rows: {w}</li>
          ))}
        </ul>
      ) : null}

      <div className="rounded-md border">
        <Table aria-labelledby="file-preview-heading" data-testid="file-preview-table">
          <TableHeader>
            <TableRow>
              {columns.map((i) => (
                <TableHead key={i} className="align-bottom">
                  <span className="block">{preview.headers[i] ?? ""}</span>
                  {preview.names[i] && preview.names[i] !== preview.headers[i] ? (
                    <span className="text-muted-foreground block font-mono text-xs font-normal" title="Column name in Postgres">
                      {preview.names[i]}
                    </span>
                  ) : null}
                </TableHead>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {preview.rows.length === 0 ? (
              <TableRow>
                <TableCell colSpan={Math.max(1, width)} className="text-muted-foreground">
                  No data rows in the first 64 KiB.
                </TableCell>
              </TableRow>
            ) : (
              preview.rows.map((row, r) => (
                <TableRow key={r}>
                  {columns.map((i) => (
                    <TableCell key={i} className="max-w-64 truncate" title={row[i]}>
                      {row[i] ?? ""}
                    </TableCell>
                  ))}
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
      </div>
      <p className="text-muted-foreground text-xs">
        Read in your browser from the first 64 KiB; the server detects the format again over the whole file.
      </p>
    </section>
  );
}
