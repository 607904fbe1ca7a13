import { z } from "zod";
import { listRunSteps } from "@/db/queries/pipelines";
import { json, jsonRoute } from "@/lib/api/handler";
import { cancelRun } from "@/lib/pipeline/runs";
import { summarizeRun } from "@/lib/pipeline/run-view";
import { pathUuid } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

export const POST = jsonRoute<undefined, { id: string }>({
  route: "POST /v1/runs/{id}/cancel",
  role: "editor",
  params: z.object({ id: pathUuid }),
  handle: async ({ params, principal }) => {
    const run = await cancelRun(params.id, { id: principal.userId, email: principal.email });
    return json(202, { run: summarizeRun(run, await listRunSteps(run.id)) });
  },
});
