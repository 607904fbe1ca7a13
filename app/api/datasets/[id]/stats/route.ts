import { viewerDatasetGet } from "@/lib/api/dataset-route";
import { columnStatsFor } from "@/lib/datasets/column-stats";

export const dynamic = "force-dynamic";

/** Null count, distinct count, min and max per column of the current version (cached per version). */
export const GET = viewerDatasetGet("GET /api/datasets/stats", async (dataset) => ({ stats: await columnStatsFor(dataset) }));
