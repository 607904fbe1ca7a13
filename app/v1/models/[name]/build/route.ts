import { json, jsonRoute } from "@/lib/api/handler";
import { buildModelInput } from "@/lib/api/schemas";
import { buildBatchUrl } from "@/lib/api/model-view";
import { requestModelBuild } from "@/lib/transform/models";
import { z } from "zod";
import { pathName } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

/**
 * Queues a build of the model (optionally with everything downstream); the worker runs it. No body
 * is needed. The answer names the build and where to poll it (GET /v1/models/{name}/builds/{id}).
 */
export const POST = jsonRoute({
  route: "POST /v1/models/{name}/build",
  role: "editor",
  body: buildModelInput,
  params: z.object({ name: pathName }),
  handle: async ({ body, params }) => {
    const { name } = params;
    const { batchId } = await requestModelBuild(name, body.withDownstream);
    return json(202, {
      build: { id: batchId, model: name, withDownstream: body.withDownstream, status: "queued", url: buildBatchUrl(name, batchId) },
    });
  },
});
