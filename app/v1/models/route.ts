import { listModels } from "@/db/queries/models";
import { json, jsonRoute } from "@/lib/api/handler";
import { modelViews } from "@/lib/api/model-view";

export const dynamic = "force-dynamic";

export const GET = jsonRoute({
  route: "GET /v1/models",
  role: "viewer",
  handle: async () => json(200, { models: await modelViews(await listModels()) }),
});
