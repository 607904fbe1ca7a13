"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { sendJob } from "@/lib/queue/send";
import { insertQueueProbe } from "@/db/queries/system";
import { queueProbeJob } from "@/lib/queue/jobs";

/** Sends a queue round-trip probe now; a worker stamps it and /status shows the latency. */
export async function checkQueueNow(_prev: ActionResult<{ probeId: string }>, _form: FormData): Promise<ActionResult<{ probeId: string }>> {
  return runAction("checkQueueNow", async () => {
    await requireRole("editor");
    const probeId = await insertQueueProbe();
    await sendJob(queueProbeJob, { probeId });
    revalidatePath("/status");
    return { probeId };
  });
}
