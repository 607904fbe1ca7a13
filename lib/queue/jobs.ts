import { z } from "zod";
import { stepNames } from "@/db/schema/pipelines";
import { defineJobContract, type JobContract } from "@/lib/queue/contract";

/** A queue round-trip: the web process sends it, a worker stamps it, the dashboard shows the latency. */
export const queueProbeJob = defineJobContract({
  name: "system.queue-probe",
  schema: z.object({ probeId: z.string().uuid() }),
  queue: { retryLimit: 0, expireInSeconds: 60, retentionSeconds: 3600 },
});

/** Fetch (or take the uploaded object), keep the version, load staging, build the typed table. */
export const ingestDatasetJob = defineJobContract({
  name: "dataset.ingest",
  schema: z.object({ loadId: z.string().uuid() }),
  // Long files take long: the expiry is generous; transient failures retry with backoff.
  queue: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 6 * 3600 },
});

/** Builds the named models (optionally with everything downstream), recording each build. */
export const buildModelsJob = defineJobContract({
  name: "models.build",
  // batchId is made when the build is requested, so the API can answer with it before a worker starts.
  schema: z.object({
    names: z.array(z.string().min(1)).min(1),
    withDownstream: z.boolean().default(false),
    batchId: z.string().uuid().optional(),
  }),
  queue: { retryLimit: 1, retryDelay: 10, expireInSeconds: 6 * 3600 },
  // Two at once: one long build (bounded by MODEL_STATEMENT_TIMEOUT_SECONDS) never holds up every other.
  slots: 2,
});

/**
 * One step of one run. The pg-boss job is delivery only: which worker runs a step, and whether it
 * runs again after a crash, is decided by the step's lease in run_steps (lib/pipeline/step-runner.ts,
 * reaper.ts). Hence no pg-boss retries, and an expiry long enough that a 10 GB load is never cut
 * off; a dead worker is noticed by its missing heartbeat instead.
 */
export const runStepJob = defineJobContract({
  name: "run.step",
  schema: z.object({ runId: z.string().uuid(), step: z.enum(stepNames) }),
  queue: { retryLimit: 0, expireInSeconds: 23 * 3600 },
});

/** Every queue the app uses; each is created (and its options applied) before use. */
export const jobContracts: readonly JobContract[] = [queueProbeJob, ingestDatasetJob, buildModelsJob, runStepJob];
