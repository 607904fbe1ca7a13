import type { z } from "zod";
import type { JobDefinition } from "@/jobs/define-job";
import { queueProbeHandler } from "@/jobs/definitions/queue-probe";
import { ingestDatasetHandler } from "@/jobs/definitions/ingest-dataset";
import { buildModelsHandler } from "@/jobs/definitions/build-models";
import { runStepHandler } from "@/jobs/definitions/run-step";

/** Every job the worker runs, bound to its contract in lib/queue/jobs.ts. */
export const jobRegistry = [
  queueProbeHandler,
  ingestDatasetHandler,
  buildModelsHandler,
  runStepHandler,
] as unknown as JobDefinition<z.ZodType>[];
