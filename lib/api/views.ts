import { getDatasetByName, listDatasets, listDatasetVersions } from "@/db/queries/datasets";
import { getDefaultPipelineForDataset, listRuns } from "@/db/queries/pipelines";
import type { Dataset, DetectedDialect, FreshnessConfig, SchemaChanges } from "@/db/schema/datasets";
import { effectiveType } from "@/lib/ingest/typed-table";
import { judgeFreshness, type FreshnessVerdict } from "@/lib/ingest/freshness";

/** The REST API's Dataset. */
export type DatasetView = {
  id: string;
  name: string;
  sourceUrl: string | null;
  status: Dataset["status"];
  rowCount: number | null;
  columns: { name: string; header: string; type: string; format?: string; nullMarkers?: string[]; note?: string }[];
  dialect: DetectedDialect | null;
  versions: { id: string; sha256: string; bytes: number; createdAt: string; schemaChanges: SchemaChanges | null }[];
  latestRunId: string | null;
  schemaPolicy: Dataset["schemaPolicy"];
  typeLocks: Dataset["typeLocks"];
  schemaNotices: boolean;
  /** Thresholds (null: none), the verdict now, and the last state announced by the scheduled check. */
  freshness: (FreshnessConfig & FreshnessVerdict & { announced: Dataset["freshnessState"] }) | null;
};

export async function datasetView(dataset: Dataset): Promise<DatasetView> {
  const [versions, pipeline] = await Promise.all([listDatasetVersions(dataset.id), getDefaultPipelineForDataset(dataset.id)]);
  const [latest] = pipeline ? await listRuns({ pipelineId: pipeline.id }, 1) : [];
  return {
    id: dataset.id,
    name: dataset.name,
    sourceUrl: dataset.sourceUrl,
    status: dataset.status,
    rowCount: dataset.rowCount,
    columns: dataset.columns.map((c) => ({
      name: c.name,
      header: c.header,
      type: effectiveType(c),
      ...(c.format && c.format !== "plain" && !c.overrideType ? { format: c.format } : {}),
      ...(c.nullMarkers?.length && !c.overrideType ? { nullMarkers: c.nullMarkers } : {}),
      ...(c.note ? { note: c.note } : {}),
    })),
    dialect: versions.find((v) => v.id === dataset.currentVersionId)?.dialect ?? null,
    versions: versions.map((v) => ({
      id: v.id,
      sha256: v.sha256,
      bytes: v.bytes,
      createdAt: v.createdAt.toISOString(),
      schemaChanges: v.schemaChanges ?? null,
    })),
    latestRunId: latest?.id ?? null,
    schemaPolicy: dataset.schemaPolicy,
    typeLocks: dataset.typeLocks,
    schemaNotices: dataset.options.schemaNotices ?? true,
    freshness: dataset.freshness
      ? {
          warnAfter: dataset.freshness.warnAfter ?? null,
          errorAfter: dataset.freshness.errorAfter ?? null,
          ...judgeFreshness(dataset.freshness, versions.find((v) => v.id === dataset.currentVersionId)?.createdAt ?? null, new Date()),
          announced: dataset.freshnessState,
        }
      : null,
  };
}

export async function datasetViewByName(name: string): Promise<DatasetView | null> {
  const dataset = await getDatasetByName(name);
  return dataset ? datasetView(dataset) : null;
}

export async function listDatasetViews(): Promise<DatasetView[]> {
  return Promise.all((await listDatasets()).map(datasetView));
}
