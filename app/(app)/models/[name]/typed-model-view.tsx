import Link from "next/link";
import { ArrowLeftIcon, DatabaseIcon } from "lucide-react";
import type { Dataset } from "@/db/schema/datasets";
import { listLatestBuilds } from "@/db/queries/models";
import { effectiveType, typedSelectSql } from "@/lib/ingest/typed-table";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { PageHeader } from "@/components/page-header";
import { BuildResult } from "@/components/models/build-result";
import { BuildStatusBadge } from "@/components/models/build-status-badge";
import { formatCount, formatDateTime } from "@/lib/format";
import { toBuildView } from "@/components/models/build-view";
import { SqlView } from "@/components/models/sql-view";

const METADATA_COLUMNS = [
  { name: "_rb_line", text: "The row's line number in the file" },
  { name: "_rb_version", text: "The dataset version the row came from" },
  { name: "_rb_loaded_at", text: "When the row was loaded" },
];

/** A dataset's generated typed model: the cast-from-text select, its columns and types, read-only. */
export async function TypedModelView({ dataset }: { dataset: Dataset }) {
  const [latest] = await listLatestBuilds([dataset.name]);
  const datasetHref = `/datasets/${encodeURIComponent(dataset.name)}`;
  // Each load rebuilds the typed table without a build row; an explicit build newer than it wins.
  const build = latest && (!dataset.lastLoadedAt || latest.createdAt > dataset.lastLoadedAt) ? toBuildView(latest) : null;
  return (
    <>
      <PageHeader
        title={dataset.name}
        description={
          <>
            Typed, generated model of the dataset {dataset.name}: its text columns cast to their types, as{" "}
            <code className="font-mono">{`{{ ref('${dataset.name}') }}`}</code> reads it. It is rebuilt with every load; change column types
            on the dataset.
          </>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <Button asChild variant="ghost">
              <Link href="/models">
                <ArrowLeftIcon aria-hidden="true" />
                All models
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link href={datasetHref}>
                <DatabaseIcon aria-hidden="true" />
                Open dataset
              </Link>
            </Button>
          </div>
        }
      />

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Generated SQL</h2>
          </CardTitle>
          <CardDescription>Read-only; Relayboard writes it from the dataset&apos;s columns.</CardDescription>
        </CardHeader>
        <CardContent>
          {dataset.columns.length ? (
            <SqlView value={typedSelectSql(dataset.name, dataset.columns)} label={`Generated SQL of ${dataset.name}`} testId="typed-sql" />
          ) : (
            <p className="text-muted-foreground text-sm">
              The dataset has not been loaded yet, so its columns are not known.{" "}
              <Link href={datasetHref} className="text-foreground underline underline-offset-4">
                Go to the dataset
              </Link>
              .
            </p>
          )}
        </CardContent>
      </Card>

      {dataset.columns.length ? (
        <Card>
          <CardHeader>
            <CardTitle>
              <h2 id="typed-columns-heading">Columns ({dataset.columns.length})</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <Table aria-labelledby="typed-columns-heading" data-testid="typed-columns">
              <TableHeader>
                <TableRow>
                  <TableHead scope="col">Column</TableHead>
                  <TableHead scope="col">Type</TableHead>
                  <TableHead scope="col">Header in the file</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {dataset.columns.map((column) => (
                  <TableRow key={column.name}>
                    <TableCell className="font-mono">{column.name}</TableCell>
                    <TableCell>
                      <span className="flex items-center gap-2">
                        <span className="font-mono">{effectiveType(column)}</span>
                        {column.overrideType ? (
                          <Badge variant="outline" className="font-normal">
                            set by hand (inferred {column.inferredType})
                          </Badge>
                        ) : null}
                      </span>
                    </TableCell>
                    <TableCell className="text-muted-foreground max-w-xs truncate" title={column.header}>
                      {column.header}
                    </TableCell>
                  </TableRow>
                ))}
                {METADATA_COLUMNS.map((column) => (
                  <TableRow key={column.name} className="text-muted-foreground">
                    <TableCell className="font-mono">{column.name}</TableCell>
                    <TableCell>added by Relayboard</TableCell>
                    <TableCell>{column.text}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Last build</h2>
          </CardTitle>
          <CardDescription>The typed table is rebuilt after every load of the dataset.</CardDescription>
        </CardHeader>
        <CardContent>
          {build || !dataset.lastLoadedAt ? (
            <BuildResult build={build} />
          ) : (
            <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-4">
              <div className="flex flex-col gap-1">
                <dt className="text-muted-foreground">Status</dt>
                <dd>
                  <BuildStatusBadge
                    status={dataset.status === "failed" ? "failed" : dataset.status === "loading" ? "running" : "succeeded"}
                    label={dataset.status === "failed" ? "Load failed" : dataset.status === "loading" ? "Loading" : "Loaded"}
                    testId="build-status"
                  />
                </dd>
              </div>
              <div className="flex flex-col gap-1">
                <dt className="text-muted-foreground">Rows</dt>
                <dd className="tabular-nums">{formatCount(dataset.rowCount)}</dd>
              </div>
              <div className="flex flex-col gap-1 sm:col-span-2">
                <dt className="text-muted-foreground">Built by the load of</dt>
                <dd>
                  <time dateTime={dataset.lastLoadedAt.toISOString()}>{formatDateTime(dataset.lastLoadedAt)}</time>
                </dd>
              </div>
            </dl>
          )}
        </CardContent>
      </Card>
    </>
  );
}
