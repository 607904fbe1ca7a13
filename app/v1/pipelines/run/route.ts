import { getDatasetByName } from "@/db/queries/datasets";
import { getDefaultPipelineForDataset, listRunSteps } from "@/db/queries/pipelines";
import { json, jsonRoute } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";
import { requestRun } from "@/lib/pipeline/runs";
import { summarizeRun } from "@/lib/pipeline/run-view";
import { runRequestInput } from "@/lib/validation/pipelines";

export const dynamic = "force-dynamic";

/** Runs a pipeline (by id, or a dataset's default pipeline by the dataset's name). */
export const POST = jsonRoute({
  route: "POST /v1/pipelines/run",
  role: "editor",
  body: runRequestInput,
  handle: async ({ body, principal }) => {
    let pipelineId = body.pipelineId;
    if (body.datasetName) {
      const dataset = await getDatasetByName(body.datasetName);
      if (!dataset) throw new UserError(`No dataset named ${body.datasetName}`, 404);
      const pipeline = await getDefaultPipelineForDataset(dataset.id);
      if (!pipeline) throw new UserError(`Dataset ${body.datasetName} has no default pipeline`, 404);
      pipelineId = pipeline.id;
    }
    const run = await requestRun(pipelineId!, { trigger: "api", force: body.force, actor: { id: principal.userId } });
    return json(202, { run: summarizeRun(run, await listRunSteps(run.id)) });
  },
});
