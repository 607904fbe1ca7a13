import { z } from "zod";
import { listBatchBuilds } from "@/db/queries/models";
import { json, jsonRoute } from "@/lib/api/handler";
import { buildBatchView } from "@/lib/api/model-view";
import { UserError } from "@/lib/errors";
import { pathName, pathUuid } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

/**
 * One requested build (the id POST /v1/models/{name}/build answered): its status and each model
 * built in it (the downstream ones too), with errors and data test results. Poll until the status
 * is succeeded or failed.
 */
export const GET = jsonRoute<undefined, { name: string; id: string }>({
  route: "GET /v1/models/{name}/builds/{id}",
  role: "viewer",
  params: z.object({ name: pathName, id: pathUuid }),
  handle: async ({ params }) => {
    const builds = await listBatchBuilds(params.id);
    if (!builds.some((b) => b.modelName === params.name)) throw new UserError(`No build ${params.id} of ${params.name}`, 404);
    return json(200, { build: buildBatchView(params.name, params.id, builds) });
  },
});
