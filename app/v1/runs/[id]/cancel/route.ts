import { z } from "zod";
import { listRunSteps } from "@/db/queries/pipelines";
import { json, jsonRoute } from "@/lib/api/handler";
import { cancelRun } from "@/lib/pipeline/runs";
import { summarizeRun } from "@/lib/pipeline/run-view";

export const dynamic = "force-dynamic";

export const POST = jsonRoute<undefined, { id: string }>({
  route: "POST /v1/runs/{id}/cancel",
  role: "editor",
  handle: async ({ params, principal }) => {
    const run = await cancelRun(z.string().uuid("Run ids are UUIDs").parse(params.id), { id: principal.userId, email: principal.email });
    return json(202, { run: summarizeRun(run, await listRunSteps(run.id)) });
  },
});
