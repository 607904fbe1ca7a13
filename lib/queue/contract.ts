import type { z } from "zod";
import type { Logger } from "pino";

/** pg-boss queue options this app sets per job (applied by lib/queue/ensure-queues.ts). */
export type QueueOptions = {
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  retentionSeconds?: number;
  policy?: "standard" | "short" | "singleton" | "stately";
};

/**
 * What sender and worker agree on: the queue's name, the payload's schema and the queue's options.
 * Senders (web, lib) need only this; jobs/ binds a handler to it.
 */
export type JobContract<S extends z.ZodType = z.ZodType> = {
  name: string;
  schema: S;
  queue: QueueOptions;
  /** Jobs of this name one worker process runs at once (default 1). */
  slots?: number;
};

/** What a handler gets besides its payload. */
export type JobContext = {
  jobId: string;
  workerId: string;
  log: Logger;
  signal: AbortSignal;
  /** 0 on the first run; a handler may give up on transient errors once this is the last try. */
  retryCount: number;
  isLastAttempt: boolean;
};

export function defineJobContract<S extends z.ZodType>(contract: JobContract<S>): JobContract<S> {
  return contract;
}
