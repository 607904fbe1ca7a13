import { audit, type AuditActor } from "@/lib/audit";
import type { z } from "zod";
import { getDestinationById } from "@/db/queries/destinations";
import { deletePipeline, getActiveRuns, getPipelineById, insertPipeline, updatePipeline } from "@/db/queries/pipelines";
import type { Dataset } from "@/db/schema/datasets";
import type { Pipeline } from "@/db/schema/pipelines";
import type { DbOrTx } from "@/db";
import { getDatasetById } from "@/db/queries/datasets";
import { UserError } from "@/lib/errors";
import { defaultDelivery } from "@/lib/pipeline/deliveries";
import { describeSchedule, nextRunAfter } from "@/lib/pipeline/schedule";
import { validateTemplate } from "@/lib/slack/preview";
import { pipelineInput, pipelineUpdateInput } from "@/lib/validation/pipelines";
import { dropDigestSnapshots } from "@/lib/pipeline/digest-diff";

type Actor = { id: string };

/** Every dataset gets one: fetch → load → typed model (and downstream) → summary to the default destination. */
export async function createDefaultPipeline(dataset: Dataset, actor: Actor | null, tx: DbOrTx): Promise<Pipeline> {
  const pipeline = await insertPipeline(
    {
      name: dataset.name,
      datasetId: dataset.id,
      isDefault: true,
      deliveries: [defaultDelivery(dataset.name)],
      createdBy: actor?.id ?? null,
    },
    tx,
  );
  if (!pipeline) throw new UserError(`A pipeline named ${dataset.name} already exists`, 409, { name: ["A pipeline has this name"] });
  return pipeline;
}

async function checkReferences(input: {
  deliveries?: { destinationId: string | null; template: Parameters<typeof validateTemplate>[0] }[];
  failureAlertDestinationId?: string | null;
  datasetId?: string;
}) {
  if (input.datasetId && !(await getDatasetById(input.datasetId)))
    throw new UserError("Dataset not found", 404, { datasetId: ["Choose a dataset"] });
  for (const [i, d] of (input.deliveries ?? []).entries()) {
    try {
      validateTemplate(d.template);
    } catch (err) {
      if (err instanceof UserError)
        throw new UserError(`Message ${i + 1}: ${err.message}`, 400, { [`deliveries.${i}.template`]: [err.message] });
      throw err;
    }
    if (d.destinationId && !(await getDestinationById(d.destinationId)))
      throw new UserError(`Message ${i + 1}: destination not found`, 404);
  }
  if (input.failureAlertDestinationId && !(await getDestinationById(input.failureAlertDestinationId))) {
    throw new UserError("Failure-alert destination not found", 404, { failureAlertDestinationId: ["Choose a destination"] });
  }
}

function scheduleFields(cron: string | null | undefined, timezone: string | undefined) {
  if (!cron) {
    // Kept without a schedule too: messages read {{now}} in it.
    const zone = timezone ?? "UTC";
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
    } catch {
      throw new UserError(`Unknown time zone ${zone}`, 400, { scheduleTimezone: ["Choose a time zone such as Europe/Zurich"] });
    }
    return { scheduleCron: null, scheduleTimezone: zone, nextRunAt: null };
  }
  const info = describeSchedule(cron, timezone ?? "UTC");
  return { scheduleCron: info.cron, scheduleTimezone: info.timezone, nextRunAt: info.nextRuns[0] ?? null };
}

export async function createPipeline(raw: z.input<typeof pipelineInput>, actor: Actor): Promise<Pipeline> {
  const input = pipelineInput.parse(raw);
  await checkReferences(input);
  const pipeline = await insertPipeline({
    name: input.name,
    datasetId: input.datasetId,
    models: input.models ?? null,
    deliveries: input.deliveries,
    failureAlertDestinationId: input.failureAlertDestinationId ?? null,
    stopOnTestFailure: input.stopOnTestFailure,
    paused: input.paused,
    ...scheduleFields(input.scheduleCron, input.scheduleTimezone),
    createdBy: actor.id,
  });
  if (!pipeline) throw new UserError(`A pipeline named ${input.name} already exists`, 409, { name: ["This name is taken"] });
  await audit("pipeline.created", actor, { type: "pipeline", id: pipeline.id, name: pipeline.name }, { schedule: pipeline.scheduleCron });
  return pipeline;
}

export async function editPipeline(raw: z.input<typeof pipelineUpdateInput>, actor?: AuditActor): Promise<Pipeline> {
  const input = pipelineUpdateInput.parse(raw);
  const current = await getPipelineById(input.id);
  if (!current) throw new UserError("Pipeline not found", 404);
  await checkReferences(input);
  const values: Parameters<typeof updatePipeline>[1] = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.models !== undefined) values.models = input.models;
  if (input.deliveries !== undefined) values.deliveries = input.deliveries;
  if (input.failureAlertDestinationId !== undefined) values.failureAlertDestinationId = input.failureAlertDestinationId;
  if (input.stopOnTestFailure !== undefined) values.stopOnTestFailure = input.stopOnTestFailure;
  if (input.paused !== undefined) values.paused = input.paused;
  if (input.scheduleCron !== undefined || input.scheduleTimezone !== undefined) {
    Object.assign(
      values,
      scheduleFields(
        input.scheduleCron === undefined ? current.scheduleCron : input.scheduleCron,
        input.scheduleTimezone ?? current.scheduleTimezone,
      ),
    );
  }
  const row = await updatePipeline(current.id, values).catch((err) => {
    if ((err as { code?: string }).code === "23505")
      throw new UserError(`A pipeline named ${input.name} already exists`, 409, { name: ["This name is taken"] });
    throw err;
  });
  if (input.deliveries !== undefined) {
    // A message removed or no longer "what changed" leaves no snapshot behind.
    await dropDigestSnapshots(current.id, new Set(input.deliveries.flatMap((d, i) => (d.digest ? [i] : []))));
  }
  await audit(
    "pipeline.updated",
    actor,
    { type: "pipeline", id: row!.id, name: row!.name },
    { changed: Object.keys(input).filter((k) => k !== "id") },
  );
  return row!;
}

export async function setPipelinePaused(id: string, paused: boolean, actor?: AuditActor): Promise<Pipeline> {
  const current = await getPipelineById(id);
  if (!current) throw new UserError("Pipeline not found", 404);
  const nextRunAt =
    !paused && current.scheduleCron ? nextRunAfter(current.scheduleCron, current.scheduleTimezone, new Date()) : current.nextRunAt;
  const row = (await updatePipeline(id, { paused, nextRunAt }))!;
  await audit(paused ? "pipeline.paused" : "pipeline.resumed", actor, { type: "pipeline", id, name: row.name });
  return row;
}

/** Deletes a pipeline with its runs; not a dataset's own pipeline (pause it instead), nor one that is running. */
export async function removePipeline(id: string, actor?: AuditActor): Promise<void> {
  const current = await getPipelineById(id);
  if (!current) throw new UserError("Pipeline not found", 404);
  if (current.isDefault) throw new UserError("This is its dataset's own pipeline: pause it, or delete the dataset", 409);
  if ((await getActiveRuns(id)).length) throw new UserError("The pipeline has a run in progress; cancel it or wait, then delete", 409);
  await deletePipeline(id);
  await dropDigestSnapshots(id);
  await audit("pipeline.deleted", actor, { type: "pipeline", id, name: current.name });
}
