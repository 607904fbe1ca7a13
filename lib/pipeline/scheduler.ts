import type { Logger } from "pino";
import { lockDuePipelines, updatePipeline } from "@/db/queries/pipelines";
import { UserError } from "@/lib/errors";
import { withTransaction } from "@/lib/queue/transaction";
import { requestRunInTransaction } from "@/lib/pipeline/runs";
import { nextRunAfter } from "@/lib/pipeline/schedule";

/**
 * Fires due schedules. Each due pipeline is locked (FOR UPDATE SKIP LOCKED) in the transaction
 * that requests its run and moves next_run_at forward, so any number of workers calling this
 * together fire each occurrence exactly once. A run still waiting from the last occurrence
 * means this one is skipped (logged), never stacked.
 */
export async function fireDueSchedules(log: Logger, now = new Date()): Promise<number> {
  let fired = 0;
  await withTransaction(async (tx, send) => {
    const due = await lockDuePipelines(now, tx);
    for (const pipeline of due) {
      const next = pipeline.scheduleCron ? nextRunAfter(pipeline.scheduleCron, pipeline.scheduleTimezone, now) : null;
      await updatePipeline(pipeline.id, { nextRunAt: next }, tx);
      try {
        await tx.transaction(async (nested) => {
          await requestRunInTransaction(nested, (job, payload, options) => send(job, payload, options), pipeline.id, {
            trigger: "schedule",
            actor: null,
          });
        });
        fired++;
      } catch (err) {
        if (err instanceof UserError) log.info({ pipeline: pipeline.name, reason: err.message }, "scheduled run skipped");
        else throw err;
      }
    }
  });
  return fired;
}
