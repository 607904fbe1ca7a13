import { json, jsonRoute } from "@/lib/api/handler";
import { listDatasetViews } from "@/lib/api/views";

export const dynamic = "force-dynamic";

export const GET = jsonRoute({
  route: "GET /v1/datasets",
  role: "viewer",
  handle: async () => json(200, { datasets: await listDatasetViews() }),
});
