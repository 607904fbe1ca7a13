import type { z } from "zod";
import type { Logger } from "pino";

export type QueueOptions = {
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  retentionSeconds?: number;
  policy?: "standard" | "short" | "singleton" | "stately";
};

export type JobContext = {
  jobId: string;
  workerId: string;
  log: Logger;
  signal: AbortSignal;
  /** 0 on the first run; a handler may give up on transient errors once this is the last try. */
  retryCount: number;
  isLastAttempt: boolean;
};

export type JobDefinition<S extends z.ZodType> = {
  name: string;
  schema: S;
  queue: QueueOptions;
  /** Jobs of this name one worker process runs at once (default 1). */
  slots?: number;
  handle: (payload: z.infer<S>, ctx: JobContext) => Promise<unknown>;
};

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}
