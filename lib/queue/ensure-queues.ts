import type { PgBoss } from "pg-boss";
import { jobContracts } from "@/lib/queue/jobs";

/** Creates every job's queue and applies its current options; idempotent, safe from many processes. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const job of jobContracts) {
    await boss.createQueue(job.name, job.queue);
    // A queue's policy is fixed once created (pg-boss 11+); everything else follows the contract.
    const { policy: _policy, ...options } = job.queue;
    await boss.updateQueue(job.name, options);
  }
}
