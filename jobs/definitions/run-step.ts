import { defineJob } from "@/jobs/define-job";
import { runStepJob } from "@/lib/queue/jobs";
import { executeStep } from "@/lib/pipeline/step-runner";

export const runStepHandler = defineJob(runStepJob, ({ runId, step }, ctx) =>
  executeStep(runId, step, { workerId: ctx.workerId, log: ctx.log }),
);
