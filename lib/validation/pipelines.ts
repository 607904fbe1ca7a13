import { z } from "zod";
import { messageTemplateInput } from "@/lib/validation/destinations";

export const pipelineDeliveryInput = z
  .object({
    destinationId: z.string().uuid().nullable().default(null),
    template: messageTemplateInput,
    condition: z.enum(["always", "has_rows", "changed"]).default("always"),
  })
  .strict();

const base = {
  name: z.string().trim().min(1, "Give the pipeline a name").max(80),
  models: z.array(z.string().min(1).max(63)).max(200).nullable().optional(),
  deliveries: z.array(pipelineDeliveryInput).max(20).default([]),
  failureAlertDestinationId: z.string().uuid().nullable().optional(),
  stopOnTestFailure: z.boolean().default(false),
  scheduleCron: z.string().trim().max(120).nullable().optional(),
  scheduleTimezone: z.string().trim().max(64).optional(),
  paused: z.boolean().default(false),
};

export const pipelineInput = z.object({ ...base, datasetId: z.string().uuid() }).strict();

export const pipelineUpdateInput = z
  .object({
    id: z.string().uuid(),
    name: base.name.optional(),
    models: base.models,
    deliveries: z.array(pipelineDeliveryInput).max(20).optional(),
    failureAlertDestinationId: base.failureAlertDestinationId,
    stopOnTestFailure: z.boolean().optional(),
    scheduleCron: base.scheduleCron,
    scheduleTimezone: base.scheduleTimezone,
    paused: z.boolean().optional(),
  })
  .strict();

export const runRequestInput = z
  .object({
    datasetName: z.string().min(1).max(63).optional(),
    pipelineId: z.string().uuid().optional(),
    force: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Boolean(v.datasetName) !== Boolean(v.pipelineId), "Give either datasetName or pipelineId");
