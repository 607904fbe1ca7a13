import type { z } from "zod";
import type PgBoss from "pg-boss";
import type { JobDefinition } from "@/jobs/define-job";
import { getBoss } from "@/lib/queue/boss";

/** Validates the payload against the job's schema before it reaches the queue. */
export async function sendJob<S extends z.ZodType>(
  job: JobDefinition<S>,
  payload: z.infer<S>,
  options: PgBoss.SendOptions = {},
  boss?: PgBoss,
): Promise<string | null> {
  const data = job.schema.parse(payload) as object;
  const target = boss ?? (await getBoss());
  return target.send(job.name, data, options);
}
