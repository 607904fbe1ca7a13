import type { Metadata } from "next";
import Link from "next/link";
import { CircleCheckIcon, DatabaseIcon, PlusIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { listDatasets, listLatestLoads } from "@/db/queries/datasets";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { datasetDisplayStatus, isActiveLoad, StatusBadge } from "@/components/dataset-status";
import { AutoRefresh } from "@/components/auto-refresh";
import { sourceLabel } from "./format";
import { formatCount, formatDateTime, formatRelativeTime } from "@/lib/format";
import { SampleDataButton } from "../onboarding/sample-data-button";
import { keepReason } from "@/lib/lifecycle/failed-datasets";
import { RemoveFailedDatasets, type FailedCandidate } from "./remove-failed-datasets";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Datasets" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function DatasetsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const canEdit = roleAtLeast(user.role, "editor");
  const [datasets, latestLoads, params] = await Promise.all([listDatasets(), listLatestLoads(), searchParams]);
  const latestBy = new Map(latestLoads.map((l) => [l.datasetId, l]));
  const deleted = typeof params.deleted === "string" ? params.deleted : null;
  const anyActive = latestLoads.some((l) => isActiveLoad(l.status));
  // Failed and never loaded: offered for removal in bulk (the action checks each again).
  const failed: FailedCandidate[] = canEdit
    ? datasets
        .filter((d) => keepReason(d, isActiveLoad(latestBy.get(d.id)?.status)) === null)
        .map((d) => ({ id: d.id, name: d.name, error: latestBy.get(d.id)?.error?.message ?? null }))
    : [];
  const now = new Date();

  const newButton = canEdit ? (
    <Button asChild>
      <Link href="/datasets/new">
        <PlusIcon aria-hidden="true" />
        New dataset
      </Link>
    </Button>
  ) : null;

  return (
    <>
      {deleted ? (
        <Alert role="status">
          <CircleCheckIcon aria-hidden="true" />
          <AlertDescription>
            <p>
              Deleted <span className="font-medium break-all">{deleted}</span> with its tables and stored versions.
            </p>
          </AlertDescription>
        </Alert>
      ) : null}

      <PageHeader
        title="Datasets"
        description="CSV sources, their versions and the Postgres tables they load into."
        actions={datasets.length ? newButton : null}
      />

      {canEdit ? <RemoveFailedDatasets candidates={failed} /> : null}

      {datasets.length === 0 ? (
        <EmptyState
          icon={DatabaseIcon}
          title="No datasets yet"
          description="Register a CSV by URL or upload; Relayboard keeps every version and loads it into Postgres. Or look around first with 4,000 sample shop orders, a model on top and a message to a sample Slack channel."
        >
          {canEdit ? (
            <>
              <Button asChild>
                <Link href="/datasets/new">
                  <PlusIcon aria-hidden="true" />
                  Register a dataset
                </Link>
              </Button>
              <SampleDataButton variant="outline" />
            </>
          ) : (
            <p className="text-muted-foreground text-sm">Ask an editor or admin to register the first dataset or load the sample data.</p>
          )}
        </EmptyState>
      ) : (
        <Card className="py-0">
          <CardContent className="px-0">
            {/* While a load runs, refresh so its phase and the final status show up here too. */}
            {anyActive ? <AutoRefresh intervalMs={2000} /> : null}
            <Table aria-label="Datasets" data-testid="datasets-table">
              <TableHeader>
                <TableRow>
                  <TableHead className="pl-4">Name</TableHead>
                  <TableHead>Source</TableHead>
                  <TableHead className="text-right">Rows</TableHead>
                  <TableHead className="text-right">Columns</TableHead>
                  <TableHead>Last loaded</TableHead>
                  <TableHead className="pr-4">Status</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {datasets.map((d) => {
                  const status = datasetDisplayStatus(d.status, latestBy.get(d.id));
                  return (
                    <TableRow key={d.id} data-testid="dataset-row">
                      <TableCell className="pl-4 font-medium">
                        <Link
                          href={`/datasets/${encodeURIComponent(d.name)}`}
                          className="rounded-sm underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
                        >
                          {d.name}
                        </Link>
                      </TableCell>
                      <TableCell className="text-muted-foreground max-w-48 truncate" title={d.sourceUrl ?? undefined}>
                        {sourceLabel(d.sourceType, d.sourceUrl)}
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{formatCount(d.rowCount)}</TableCell>
                      <TableCell className="text-right tabular-nums">{d.columns.length || "—"}</TableCell>
                      <TableCell>
                        {d.lastLoadedAt ? (
                          <time dateTime={d.lastLoadedAt.toISOString()} title={formatDateTime(d.lastLoadedAt)}>
                            {formatRelativeTime(d.lastLoadedAt, now)}
                          </time>
                        ) : (
                          <span className="text-muted-foreground">Never</span>
                        )}
                      </TableCell>
                      <TableCell className="pr-4 whitespace-normal">
                        <div className="flex min-w-40 flex-col items-start gap-1">
                          <StatusBadge kind={status.kind} label={status.label} />
                          {status.error ? (
                            <span className="text-destructive line-clamp-2 max-w-72 text-xs" title={status.error}>
                              {status.error}
                            </span>
                          ) : null}
                        </div>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      )}
    </>
  );
}
