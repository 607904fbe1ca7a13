import { z } from "zod";
import { stepNames } from "@/db/schema/pipelines";
import { defineJob } from "@/jobs/define-job";
import { executeStep } from "@/lib/pipeline/step-runner";

/**
 * One step of one run. pg-boss's expiry is long on purpose: a 10 GB load must not be cut off;
 * a dead worker is noticed by its missing heartbeat instead (lib/pipeline/step-runner.ts).
 */
export const runStep = defineJob({
  name: "run.step",
  schema: z.object({ runId: z.string().uuid(), step: z.enum(stepNames) }),
  queue: { retryLimit: 0, expireInSeconds: 23 * 3600 },
  handle: ({ runId, step }, ctx) => executeStep(runId, step, { workerId: ctx.workerId, log: ctx.log }),
});
