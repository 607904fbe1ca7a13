import { defineJob } from "@/jobs/define-job";
import { buildModelsJob } from "@/lib/queue/jobs";
import { buildModels } from "@/lib/transform/build";

export const buildModelsHandler = defineJob(buildModelsJob, async ({ names, withDownstream, batchId }, ctx) => {
  const summary = await buildModels({ names, withDownstream }, undefined, { batchId });
  ctx.log.info({ batchId: summary.batchId, builds: summary.builds.map((b) => [b.modelName, b.status]) }, "models built");
});
