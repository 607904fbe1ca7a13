import type PgBoss from "pg-boss";
import { jobContracts } from "@/lib/queue/jobs";

/** Creates every job's queue and applies its current options; idempotent, safe from many processes. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const job of jobContracts) {
    const options = { name: job.name, ...job.queue };
    await boss.createQueue(job.name, options);
    await boss.updateQueue(job.name, options);
  }
}
