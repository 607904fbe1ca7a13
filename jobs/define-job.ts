import type { z } from "zod";
import type { JobContext, JobContract } from "@/lib/queue/contract";

export type { JobContext } from "@/lib/queue/contract";

/** A job contract (lib/queue/jobs.ts) with the handler this worker runs for it. */
export type JobDefinition<S extends z.ZodType> = JobContract<S> & {
  handle: (payload: z.infer<S>, ctx: JobContext) => Promise<unknown>;
};

export function defineJob<S extends z.ZodType>(contract: JobContract<S>, handle: JobDefinition<S>["handle"]): JobDefinition<S> {
  return { ...contract, handle };
}
