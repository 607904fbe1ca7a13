import { z } from "zod";
import { comparisons, digestModes, fireModes, MAX_DIGEST_ROWS } from "@/db/schema/pipelines";
import { messageTemplateInput } from "@/lib/validation/destinations";

const userSql = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Write the ${what}`)
    // One expression: it runs as part of one statement on the sandbox role, which refuses a second.
    .max(2000);
const modelName = z.string().trim().min(1).max(63).optional();
const finite = z.number().finite();

/** A delivery's condition (see AlertCondition): shared by the pipeline form and POST/PUT of pipelines. */
export const alertConditionInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("always"), model: modelName }).strict(),
  z.object({ kind: z.literal("rowCount"), model: modelName, op: z.enum(comparisons), value: z.number().int().min(0) }).strict(),
  z.object({ kind: z.literal("anyRow"), model: modelName, where: userSql("row filter") }).strict(),
  z.object({ kind: z.literal("allRows"), model: modelName, where: userSql("row filter") }).strict(),
  z
    .object({ kind: z.literal("aggregate"), model: modelName, expression: userSql("aggregate"), op: z.enum(comparisons), value: finite })
    .strict(),
  z
    .object({
      kind: z.literal("percentChange"),
      model: modelName,
      expression: userSql("aggregate"),
      direction: z.enum(["up", "down", "either"]),
      percent: finite.positive("Give a percentage above 0"),
    })
    .strict(),
]);

/** A "what changed" delivery (see DeliveryDigestConfig). */
export const deliveryDigestInput = z
  .object({
    key: z
      .array(z.string().trim().min(1).max(63))
      .min(1, "Name the column (or columns) that identify a row")
      .max(10)
      .refine((k) => new Set(k).size === k.length, "A key column is named twice"),
    mode: z.enum(digestModes).default("digest"),
    maxRows: z.number().int().min(1).max(MAX_DIGEST_ROWS).optional(),
    baselineMessage: z.boolean().optional(),
  })
  .strict();

export const pipelineDeliveryInput = z
  .object({
    destinationId: z.string().uuid().nullable().default(null),
    template: messageTemplateInput,
    condition: z.union([z.enum(["always", "has_rows", "changed"]), alertConditionInput]).default("always"),
    fire: z.enum(fireModes).default("every_run"),
    snoozeUntil: z.iso
      .datetime({ offset: true, message: "Give the snooze end as a date and time, e.g. 2026-12-24T09:00:00Z" })
      .nullable()
      .optional(),
    digest: deliveryDigestInput.nullable().optional(),
    // What GET /v1/pipelines/{id} adds for people: accepted back and ignored, so a read pipeline can be PUT as is.
    conditionInWords: z.string().optional(),
  })
  .strict()
  .transform(({ conditionInWords: _, ...d }) => d)
  .superRefine((d, ctx) => {
    if (d.digest && !d.template.table?.model) {
      ctx.addIssue({ code: "custom", path: ["digest"], message: 'A "what changed" message needs a table: choose the model to compare' });
    }
    if (d.digest && d.condition === "changed") {
      ctx.addIssue({ code: "custom", path: ["condition"], message: '"Only when changed" and "what changed" do the same job: keep one' });
    }
    const needsModel =
      (typeof d.condition === "object" && d.condition.kind !== "always" && !d.condition.model) || d.condition === "has_rows";
    if (needsModel && !d.template.table?.model) {
      ctx.addIssue({
        code: "custom",
        path: ["condition"],
        message: "The condition needs a model: add a table to the message or name a model",
      });
    }
  });

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

/** PUT /v1/pipelines/{id}: the same fields as POST, each optional; the id comes from the path. */
export const pipelineBodyInput = pipelineUpdateInput.omit({ id: true });

/** The pipeline editor's message preview and "Send test". */
export const deliveryPreviewInput = z
  .object({
    template: messageTemplateInput,
    datasetId: z.string().uuid("Choose the pipeline's dataset first"),
    pipelineId: z.string().uuid().nullable(),
    pipelineName: z.string().trim().max(80),
    timeZone: z.string().trim().min(1).max(64),
    destinationId: z.string().uuid().nullable().optional(),
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
