import { z } from "zod";
import { defineJob } from "@/jobs/define-job";
import { buildModels } from "@/lib/transform/build";

/** Builds the named models (optionally with everything downstream), recording each build. */
export const buildModelsJob = defineJob({
  name: "models.build",
  schema: z.object({ names: z.array(z.string().min(1)).min(1), withDownstream: z.boolean().default(false) }),
  queue: { retryLimit: 1, retryDelay: 10, expireInSeconds: 6 * 3600 },
  // Two at once: one long build (bounded by MODEL_STATEMENT_TIMEOUT_SECONDS) never holds up every other.
  slots: 2,
  handle: async ({ names, withDownstream }, ctx) => {
    const summary = await buildModels({ names, withDownstream });
    ctx.log.info({ batchId: summary.batchId, builds: summary.builds.map((b) => [b.modelName, b.status]) }, "models built");
  },
});
