import { json, jsonRoute } from "@/lib/api/handler";
import { buildModelInput } from "@/lib/api/schemas";
import { requestModelBuild } from "@/lib/transform/models";
import { z } from "zod";
import { pathName } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

/** Queues a build of the model (optionally with everything downstream); the worker runs it. */
export const POST = jsonRoute({
  route: "POST /v1/models/{name}/build",
  role: "editor",
  body: buildModelInput,
  params: z.object({ name: pathName }),
  handle: async ({ body, params }) => {
    const { name } = params;
    await requestModelBuild(name, body.withDownstream);
    return json(202, { run: { model: name, withDownstream: body.withDownstream, status: "queued" } });
  },
});
