import type { z } from "zod";
import type { JobDefinition } from "@/jobs/define-job";
import { queueProbe } from "@/jobs/definitions/queue-probe";
import { ingestDataset } from "@/jobs/definitions/ingest-dataset";
import { buildModelsJob } from "@/jobs/definitions/build-models";
import { runStep } from "@/jobs/definitions/run-step";

/** Every job the worker runs. The web process only sends; names come from here. */
export const jobRegistry = [queueProbe, ingestDataset, buildModelsJob, runStep] as unknown as JobDefinition<z.ZodType>[];
