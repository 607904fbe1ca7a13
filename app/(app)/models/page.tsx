import type { Metadata } from "next";
import Link from "next/link";
import { BoxesIcon, DatabaseIcon, DownloadIcon, NetworkIcon, PlusIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { listDatasets } from "@/db/queries/datasets";
import { listLatestBuilds, listModels } from "@/db/queries/models";
import type { Dataset } from "@/db/schema/datasets";
import type { ModelBuild } from "@/db/schema/models";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { BuildStatusBadge } from "@/components/models/build-status-badge";
import { buildMoment, type BuildStatus } from "@/components/models/build-view";
import { testCounts, type TestCounts } from "@/lib/transform/test-severity";
import { formatCount, formatDateTime, formatRelativeTime } from "@/lib/format";
import { ImportForm } from "./import-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Models" };

type Row = { name: string; typed: boolean; materialization: string; last: LastBuild };

/** What the row shows about the newest build, whichever source it came from. */
type LastBuild = {
  status: BuildStatus | null;
  label?: string;
  at: Date | null;
  rows: number | null;
  error?: string;
  skipped?: string;
  tests: TestCounts | null;
};

function fromBuild(build: ModelBuild): LastBuild {
  return {
    status: build.status,
    at: new Date(
      buildMoment({
        createdAt: build.createdAt.toISOString(),
        startedAt: build.startedAt?.toISOString() ?? null,
        finishedAt: build.finishedAt?.toISOString() ?? null,
      }),
    ),
    rows: build.status === "succeeded" ? build.rows : null,
    error: build.status === "failed" ? build.error?.message : undefined,
    skipped: build.status === "skipped" ? (build.skippedBecause ?? undefined) : undefined,
    tests: build.status === "succeeded" && build.testResults.length ? testCounts(build.testResults) : null,
  };
}

/** A typed model is rebuilt by each load of its dataset, which leaves no build row: the load tells. */
function fromDataset(dataset: Dataset): LastBuild {
  const base = { at: dataset.lastLoadedAt, rows: null, tests: null };
  if (dataset.status === "ready") return { ...base, status: "succeeded", label: "Loaded", rows: dataset.rowCount };
  if (dataset.status === "failed") return { ...base, status: "failed", label: "Load failed" };
  if (dataset.status === "loading") return { ...base, status: "running", label: "Loading" };
  return { ...base, status: null };
}

const NEVER: LastBuild = { status: null, at: null, rows: null, tests: null };

export default async function ModelsPage() {
  const user = await requireUser();
  const canEdit = roleAtLeast(user.role, "editor");
  const [models, datasets, builds] = await Promise.all([listModels(), listDatasets(), listLatestBuilds()]);
  const buildByName = new Map(builds.map((b) => [b.modelName, b]));
  const rows: Row[] = [
    ...models.map((m) => {
      const build = buildByName.get(m.name);
      return { name: m.name, typed: false, materialization: m.materialization, last: build ? fromBuild(build) : NEVER };
    }),
    ...datasets.map((d) => {
      const build = buildByName.get(d.name);
      // An explicit build newer than the last load wins; otherwise the load is the last build.
      const useBuild = build && (!d.lastLoadedAt || build.createdAt > d.lastLoadedAt);
      return { name: d.name, typed: true, materialization: "table", last: useBuild ? fromBuild(build) : fromDataset(d) };
    }),
  ].sort((a, b) => a.name.localeCompare(b.name));
  const now = new Date();

  const actions = (
    <>
      <Button asChild variant="outline">
        <Link href="/models/lineage">
          <NetworkIcon aria-hidden="true" />
          Lineage
        </Link>
      </Button>
      {canEdit ? (
        <Button asChild>
          <Link href="/models/new">
            <PlusIcon aria-hidden="true" />
            New model
          </Link>
        </Button>
      ) : null}
    </>
  );

  return (
    <>
      <PageHeader
        title="Models"
        description="SQL that shapes loaded datasets into the tables your messages read. Every dataset also has a generated, typed model."
        actions={actions}
      />

      {rows.length === 0 ? (
        <EmptyState
          icon={BoxesIcon}
          title="No models yet"
          description="A model is a SQL select over your datasets or other models; Relayboard builds it into the warehouse and tests it before anything is sent. Load a dataset first: it becomes a typed model you can ref."
        >
          <Button asChild>
            <Link href="/datasets">
              <DatabaseIcon aria-hidden="true" />
              Start with a dataset
            </Link>
          </Button>
        </EmptyState>
      ) : (
        <Card>
          <CardHeader>
            <CardTitle>
              <h2 id="models-heading">
                All models ({models.length} {models.length === 1 ? "model" : "models"}, {datasets.length} typed)
              </h2>
            </CardTitle>
            {models.length === 0 ? (
              <CardDescription>
                Only your datasets&apos; generated models so far.{" "}
                {canEdit ? (
                  <Link href="/models/new" className="text-foreground underline underline-offset-4">
                    Write your first model
                  </Link>
                ) : (
                  "An editor can write the first model."
                )}
              </CardDescription>
            ) : null}
          </CardHeader>
          <CardContent>
            <Table aria-labelledby="models-heading" data-testid="models-table">
              <TableHeader>
                <TableRow>
                  <TableHead scope="col">Name</TableHead>
                  <TableHead scope="col">Materialization</TableHead>
                  <TableHead scope="col">Last build</TableHead>
                  <TableHead scope="col">Last built</TableHead>
                  <TableHead scope="col" className="text-right">
                    Rows
                  </TableHead>
                  <TableHead scope="col">Tests</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((row) => (
                  <ModelRow key={`${row.typed ? "d" : "m"}:${row.name}`} row={row} now={now} />
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      )}

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>dbt interoperability</h2>
          </CardTitle>
          <CardDescription>
            Take your models to dbt as a project zip (SQL files, schema.yml with tests and descriptions), or bring a dbt project&apos;s
            models in. Importing saves each model as a new revision.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-6">
          <Button asChild variant="outline" className="self-start">
            <a href="/api/models/export" download="relayboard-dbt.zip">
              <DownloadIcon aria-hidden="true" />
              Export dbt project
            </a>
          </Button>
          {canEdit ? <ImportForm /> : null}
        </CardContent>
      </Card>
    </>
  );
}

function ModelRow({ row, now }: { row: Row; now: Date }) {
  const { last } = row;
  return (
    <TableRow data-testid={`model-row-${row.name}`}>
      <TableCell className="font-medium">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/models/${encodeURIComponent(row.name)}`} className="underline-offset-4 hover:underline">
            {row.name}
          </Link>
          {row.typed ? (
            <Badge variant="secondary" className="font-normal">
              typed, generated
            </Badge>
          ) : null}
        </div>
      </TableCell>
      <TableCell className="capitalize">{row.materialization}</TableCell>
      <TableCell className="max-w-xs whitespace-normal">
        <div className="flex flex-col items-start gap-1">
          <BuildStatusBadge status={last.status} label={last.label} tests={last.tests} />
          {last.error ? (
            <span className="text-destructive line-clamp-2 text-xs break-words" title={last.error}>
              {last.error}
            </span>
          ) : null}
          {last.skipped ? <span className="text-muted-foreground text-xs">{last.skipped}</span> : null}
        </div>
      </TableCell>
      <TableCell>
        {last.at ? (
          <time dateTime={last.at.toISOString()} title={formatDateTime(last.at)}>
            {formatRelativeTime(last.at, now)}
          </time>
        ) : (
          <span className="text-muted-foreground">—</span>
        )}
      </TableCell>
      <TableCell className="text-right tabular-nums">
        {last.rows !== null ? formatCount(last.rows) : <span className="text-muted-foreground">—</span>}
      </TableCell>
      <TableCell>
        {last.tests ? (
          <span className="flex gap-2 text-xs">
            <span className="text-emerald-700 dark:text-emerald-400">{last.tests.passed} passed</span>
            {last.tests.warned ? <span className="font-medium text-amber-700 dark:text-amber-400">{last.tests.warned} warned</span> : null}
            {last.tests.failed ? <span className="text-destructive font-medium">{last.tests.failed} failed</span> : null}
          </span>
        ) : (
          <span className="text-muted-foreground">—</span>
        )}
      </TableCell>
    </TableRow>
  );
}
