import { getDatasetByName, listDatasets, listDatasetVersions } from "@/db/queries/datasets";
import { getDefaultPipelineForDataset, listRuns } from "@/db/queries/pipelines";
import type { Dataset, DetectedDialect } from "@/db/schema/datasets";
import { effectiveType } from "@/lib/ingest/typed-table";

/** The REST API's Dataset. */
export type DatasetView = {
  id: string;
  name: string;
  sourceUrl: string | null;
  status: Dataset["status"];
  rowCount: number | null;
  columns: { name: string; header: string; type: string; format?: string; nullMarkers?: string[]; note?: string }[];
  dialect: DetectedDialect | null;
  versions: { id: string; sha256: string; bytes: number; createdAt: string }[];
  latestRunId: string | null;
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
    versions: versions.map((v) => ({ id: v.id, sha256: v.sha256, bytes: v.bytes, createdAt: v.createdAt.toISOString() })),
    latestRunId: latest?.id ?? null,
  };
}

export async function datasetViewByName(name: string): Promise<DatasetView | null> {
  const dataset = await getDatasetByName(name);
  return dataset ? datasetView(dataset) : null;
}

export async function listDatasetViews(): Promise<DatasetView[]> {
  return Promise.all((await listDatasets()).map(datasetView));
}
