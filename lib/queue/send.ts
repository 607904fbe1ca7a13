import type { z } from "zod";
import type { PgBoss, SendOptions } from "pg-boss";
import type { JobContract } from "@/lib/queue/contract";
import { getSql } from "@/db";
import { getBoss } from "@/lib/queue/boss";
import { announceJob } from "@/lib/queue/wake";

/** Validates the payload against the job's schema before it reaches the queue. */
export async function sendJob<S extends z.ZodType>(
  job: JobContract<S>,
  payload: z.infer<S>,
  options: SendOptions = {},
  boss?: PgBoss,
): Promise<string | null> {
  const data = job.schema.parse(payload) as object;
  const target = boss ?? (await getBoss());
  const id = await target.send(job.name, data, options);
  // The job is stored either way; a lost wake-up only means the next 0.5 s poll finds it.
  if (id) await announceJob(getSql(), job.name).catch(() => {});
  return id;
}
