import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeftIcon, NetworkIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { getEnv } from "@/lib/env";
import { datasetDependents } from "@/lib/lifecycle/dependents";
import { datasetHub } from "@/lib/pipeline/dataset-hub";
import { getDatasetByName, listDatasetLoads, listDatasetVersions } from "@/db/queries/datasets";
import { nameFromPathSegment } from "@/lib/validation/path-params";
import type { Dataset } from "@/db/schema/datasets";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { isActiveLoad } from "@/components/dataset-status";
import { lineageHref } from "@/lib/lineage/graph";
import { delimiterLabel } from "../format";
import { FreshnessBadge } from "@/components/freshness-badge";
import { judgeFreshness } from "@/lib/ingest/freshness";
import { formatCount } from "@/lib/format";
import { DatasetActions } from "./dataset-actions";
import { DatasetLive } from "./dataset-live";
import { DatasetSummary, Fact, SchemaPending } from "./dataset-summary";
import { ModelsCard, PipelinesCard, RecentRunsCard } from "./hub-sections";
import { DatasetSettings } from "./dataset-settings";
import { LoadStatus } from "./load-status";
import { toLoadView } from "./load-view";
import { RowsSection } from "./rows-section";
import { LoadErrorAlert, LoadsTable, LoadWarnings, SchemaTable, SkippedRowsTable, VersionsTable } from "./sections";
import { UploadVersionForm } from "./upload-version-form";
import { ReadOptions } from "./read-options";

export const dynamic = "force-dynamic";

const focusLink = "rounded-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50";
const RECENT_LOADS = 10;

type Params = Promise<{ name: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: nameFromPathSegment((await params).name) ?? "Dataset" };
}

export default async function DatasetPage({ params }: { params: Params; searchParams: SearchParams }) {
  const user = await requireUser();
  const { name: rawName } = await params;
  // A segment that cannot be a name (NUL, malformed escapes) is a plain 404, never a failed query.
  const name = nameFromPathSegment(rawName);
  const first = name === null ? null : await getDatasetByName(name);
  if (!first) notFound();

  const canEdit = roleAtLeast(user.role, "editor");
  const [versions, loads, dependents] = await Promise.all([
    listDatasetVersions(first.id),
    listDatasetLoads(first.id, RECENT_LOADS),
    // The delete dialog (editors) and the hub's models and message uses (everyone).
    datasetDependents(first),
  ]);
  const latest = loads[0] ?? null;
  // A load finishes its dataset row before its own row: read after the loads, the dataset row
  // is at least as new as the latest load. (Read before them, a load that finished in between
  // showed "succeeded" over a schema still saying "Columns appear after the first load", and
  // nothing refreshed the page, as the load was no longer active.)
  const dataset = latest && !isActiveLoad(latest.status) ? ((await getDatasetByName(first.name)) ?? first) : first;
  const busy = isActiveLoad(latest?.status);
  const lastFinished = loads.find((l) => !isActiveLoad(l.status)) ?? null;
  const versionNumbers = new Map(versions.map((v) => [v.id, v.version]));
  const current = versions.find((v) => v.id === dataset.currentVersionId);
  const now = new Date();
  // The content's age against the thresholds, judged now (the worker's recorded state may be a minute old).
  const freshness = judgeFreshness(dataset.freshness, current?.createdAt ?? null, now);
  const hub = await datasetHub(dataset, dependents);

  return (
    <DatasetLive
      snapshot={{
        datasetId: dataset.id,
        status: dataset.status,
        rowCount: dataset.rowCount,
        lastLoadedAt: dataset.lastLoadedAt?.toISOString() ?? null,
        columnCount: dataset.columns.length,
        load: latest ? toLoadView(latest) : null,
      }}
    >
      <div className="-mb-2 flex flex-wrap items-center justify-between gap-x-4 gap-y-1 text-sm">
        <Link href="/datasets" className={`text-muted-foreground hover:text-foreground inline-flex w-fit items-center gap-1 ${focusLink}`}>
          <ArrowLeftIcon className="size-4" aria-hidden="true" />
          Datasets
        </Link>
        <Link
          href={lineageHref("dataset", dataset.name)}
          className={`text-muted-foreground hover:text-foreground inline-flex w-fit items-center gap-1 ${focusLink}`}
          data-testid="dataset-lineage-link"
        >
          <NetworkIcon className="size-4" aria-hidden="true" />
          Lineage
        </Link>
      </div>

      <PageHeader
        title={dataset.name}
        description={<SourceLine dataset={dataset} />}
        actions={
          canEdit ? (
            <DatasetActions
              datasetId={dataset.id}
              datasetName={dataset.name}
              sourceType={dataset.sourceType}
              busy={busy}
              dependents={dependents}
            />
          ) : (
            <p className="text-muted-foreground max-w-64 text-xs">
              You have view access: loading, type changes, settings and deleting need the editor role.
            </p>
          )
        }
      />

      <DatasetSummary now={now.toISOString()}>
        <Fact term="Current version">{current ? `v${current.version}` : "—"}</Fact>
        {freshness.state ? (
          <Fact term="Freshness">
            <span className="flex flex-col items-start gap-1" data-testid="dataset-freshness" data-state={freshness.state}>
              <FreshnessBadge state={freshness.state} />
              <span className="text-muted-foreground text-xs font-normal">{freshness.reason}</span>
            </span>
          </Fact>
        ) : null}
      </DatasetSummary>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>
            <h2>Load status</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <LoadStatus />
          {lastFinished?.status === "failed" ? <LoadErrorAlert load={lastFinished} hasData={Boolean(dataset.currentVersionId)} /> : null}
          {lastFinished?.status === "succeeded" ? <LoadWarnings load={lastFinished} /> : null}
          {lastFinished ? <SkippedRowsTable load={lastFinished} /> : null}
        </CardContent>
      </Card>

      <div className="grid min-w-0 gap-6 lg:grid-cols-2">
        <PipelinesCard hub={hub} datasetId={dataset.id} canEdit={canEdit} now={now} />
        <ModelsCard hub={hub} datasetName={dataset.name} canEdit={canEdit} />
      </div>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>
            <h2 id="read-heading">How the file was read</h2>
          </CardTitle>
          <CardDescription>What the last load detected; change any of it and the stored file is read again.</CardDescription>
        </CardHeader>
        <CardContent>
          <ReadOptions datasetId={dataset.id} dialect={current?.dialect ?? null} options={dataset.options} canEdit={canEdit} busy={busy} />
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>
            <h2 id="schema-heading">Schema</h2>
          </CardTitle>
          <CardDescription>
            Columns of <code className="font-mono text-xs">warehouse.{dataset.name}</code>, named from the file&apos;s headers.
          </CardDescription>
        </CardHeader>
        <CardContent className="min-w-0">
          {dataset.columns.length ? <SchemaTable dataset={dataset} canEdit={canEdit} busy={busy} /> : <SchemaPending />}
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>
            <h2 id="preview-heading">Preview</h2>
          </CardTitle>
          <CardDescription>
            <OptionsLine dataset={dataset} />
          </CardDescription>
        </CardHeader>
        <CardContent className="flex min-w-0 flex-col gap-3 px-0">
          <RowsSection dataset={dataset} labelledBy="preview-heading" />
        </CardContent>
      </Card>

      <RecentRunsCard hub={hub} now={now} />

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>
            <h2 id="versions-heading">Versions</h2>
          </CardTitle>
          <CardDescription>Every distinct file Relayboard has stored for this dataset, newest first.</CardDescription>
        </CardHeader>
        <CardContent className="flex min-w-0 flex-col gap-6 px-0">
          <VersionsTable
            datasetId={dataset.id}
            versions={versions}
            currentVersionId={dataset.currentVersionId}
            canEdit={canEdit}
            busy={busy}
            now={now}
          />
          {canEdit && dataset.sourceType === "upload" ? (
            <div className="border-t px-6 pt-6">
              <UploadVersionForm datasetName={dataset.name} busy={busy} maxUploadBytes={getEnv().maxSourceBytes} />
            </div>
          ) : null}
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>
            <h2 id="loads-heading">Recent loads</h2>
          </CardTitle>
          <CardDescription>The last {RECENT_LOADS} loads; hover a duration for its phases.</CardDescription>
        </CardHeader>
        <CardContent className="min-w-0 px-0">
          <LoadsTable loads={loads} versionNumbers={versionNumbers} now={now} />
        </CardContent>
      </Card>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>
            <h2 id="settings-heading">Settings</h2>
          </CardTitle>
          <CardDescription>How stale the data may get before it is flagged, and what a file with different columns does.</CardDescription>
        </CardHeader>
        <CardContent>
          <DatasetSettings
            datasetId={dataset.id}
            freshness={dataset.freshness ?? null}
            schemaPolicy={dataset.schemaPolicy}
            typeLocks={dataset.typeLocks}
            canEdit={canEdit}
          />
        </CardContent>
      </Card>
    </DatasetLive>
  );
}

function SourceLine({ dataset }: { dataset: Dataset }) {
  if (dataset.sourceType === "upload" || !dataset.sourceUrl) return <>Uploaded file</>;
  return (
    <span className="break-all">
      From <span className="text-foreground font-mono text-xs">{dataset.sourceUrl}</span>
    </span>
  );
}

function OptionsLine({ dataset }: { dataset: Dataset }) {
  const o = dataset.options;
  const parts = [
    `${o.loadMode} mode${o.loadMode === "upsert" && o.keyColumns?.length ? ` on ${o.keyColumns.join(", ")}` : ""}`,
    o.delimiter ? `delimiter ${delimiterLabel(o.delimiter)}` : "delimiter detected",
    o.encoding ? `encoding ${o.encoding}` : null,
    o.header === false ? "no header row" : null,
    o.types === "text" ? "all columns text" : null,
    o.badRows.mode === "skip" ? `skips up to ${formatCount(o.badRows.max)} bad rows` : null,
  ].filter(Boolean);
  return <>Typed rows from the warehouse table: sort by a column&apos;s name, filter, and page through. Options: {parts.join(" · ")}.</>;
}
