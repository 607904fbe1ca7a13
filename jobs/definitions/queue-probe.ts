import { z } from "zod";
import { defineJob } from "@/jobs/define-job";
import { updateQueueProbeProcessed, deleteOldQueueProbes } from "@/db/queries/system";

/** A queue round-trip: the web process sends it, a worker stamps it, the dashboard shows the latency. */
export const queueProbe = defineJob({
  name: "system.queue-probe",
  schema: z.object({ probeId: z.string().uuid() }),
  queue: { retryLimit: 0, expireInSeconds: 60, retentionSeconds: 3600 },
  handle: async ({ probeId }, ctx) => {
    await updateQueueProbeProcessed(probeId, ctx.workerId);
    await deleteOldQueueProbes();
  },
});
