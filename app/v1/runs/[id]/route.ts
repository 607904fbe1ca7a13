import { z } from "zod";
import { getRunById, listRunSteps } from "@/db/queries/pipelines";
import { json, jsonRoute } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";
import { summarizeRun } from "@/lib/pipeline/run-view";
import { pathUuid } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

export const GET = jsonRoute<undefined, { id: string }>({
  route: "GET /v1/runs/{id}",
  role: "viewer",
  params: z.object({ id: pathUuid }),
  handle: async ({ params }) => {
    const run = await getRunById(params.id);
    if (!run) throw new UserError("Run not found", 404);
    return json(200, { run: summarizeRun(run, await listRunSteps(run.id)) });
  },
});
