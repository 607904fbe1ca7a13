import { defineJob } from "@/jobs/define-job";
import { queueProbeJob } from "@/lib/queue/jobs";
import { updateQueueProbeProcessed, deleteOldQueueProbes } from "@/db/queries/system";

export const queueProbeHandler = defineJob(queueProbeJob, async ({ probeId }, ctx) => {
  await updateQueueProbeProcessed(probeId, ctx.workerId);
  await deleteOldQueueProbes();
});
