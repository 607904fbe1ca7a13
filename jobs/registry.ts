import type { z } from "zod";
import type { JobDefinition } from "@/jobs/define-job";
import { queueProbe } from "@/jobs/definitions/queue-probe";

/** Every job the worker runs. The web process only sends; names come from here. */
export const jobRegistry: JobDefinition<z.ZodType>[] = [queueProbe as JobDefinition<z.ZodType>];
