import { listDatasetLoads } from "@/db/queries/datasets";
import { viewerDatasetGet } from "@/lib/api/dataset-route";

export const dynamic = "force-dynamic";

/** The newest load of a dataset, polled by the dataset page for its live progress bar. */
export const GET = viewerDatasetGet("GET /api/datasets/loads/latest", async (dataset) => {
  const [load] = await listDatasetLoads(dataset.id, 1);
  return {
    dataset: { status: dataset.status, rowCount: dataset.rowCount, lastLoadedAt: dataset.lastLoadedAt },
    load: load ?? null,
  };
});
