import type { z } from "zod";
import { getDatasetById } from "@/db/queries/datasets";
import { getDefaultPipelineForDataset, listRuns } from "@/db/queries/pipelines";
import { UserError } from "@/lib/errors";
import { runUrl, runValues } from "@/lib/pipeline/deliveries";
import { deliver, type DeliveryOutcome } from "@/lib/slack/deliver";
import type { SlackPayload } from "@/lib/slack/limits";
import { SAMPLE_VALUES, validateTemplate } from "@/lib/slack/preview";
import { renderMessage } from "@/lib/slack/render";
import { loadResultTable } from "@/lib/slack/result-table";
import type { messageTemplateInput } from "@/lib/validation/destinations";

export type DeliveryPreviewInput = {
  template: z.input<typeof messageTemplateInput>;
  datasetId: string;
  /** null: a pipeline not saved yet (its dataset's own pipeline's last run stands in). */
  pipelineId: string | null;
  pipelineName: string;
  timeZone: string;
};

export type DeliveryPreview = {
  payload: SlackPayload;
  /** The run whose values filled the message, or null when none has succeeded yet (sample values). */
  from: { runId: string; at: string } | null;
};

/**
 * A pipeline message as the next run would post it: the model's current rows, and the variables
 * of the pipeline's last successful run (else its dataset's own pipeline's), else sample values.
 */
export async function previewDelivery(input: DeliveryPreviewInput): Promise<DeliveryPreview> {
  const template = validateTemplate(input.template);
  const dataset = await getDatasetById(input.datasetId);
  if (!dataset) throw new UserError("Choose the pipeline's dataset first", 400);
  const lastRun = async (pipelineId: string | null | undefined) =>
    pipelineId ? ((await listRuns({ pipelineId, status: "succeeded" }, 1))[0] ?? null) : null;
  const run = (await lastRun(input.pipelineId)) ?? (await lastRun((await getDefaultPipelineForDataset(dataset.id))?.id));
  const table = template.table ? await loadResultTable(template.table) : undefined;
  const shown = table && template.table ? { model: template.table.model, rows: table.totalRows } : undefined;
  const values = run
    ? await runValues(run, { name: input.pipelineName || "(new pipeline)" }, dataset, shown)
    : {
        ...SAMPLE_VALUES,
        "dataset.name": dataset.name,
        "dataset.rows": dataset.rowCount ?? 0,
        "pipeline.name": input.pipelineName || "(new pipeline)",
        "model.name": shown?.model ?? null,
        "model.rowCount": shown?.rows ?? null,
        now: new Date().toISOString(),
      };
  const url = run ? runUrl(run.id) : undefined;
  const payload = renderMessage(template, { ...values, ...(url ? { "run.url": url } : {}) }, table, {
    runUrl: url,
    runId: run?.id,
    timeZone: input.timeZone,
  });
  return { payload, from: run ? { runId: run.id, at: (run.finishedAt ?? run.createdAt).toISOString() } : null };
}

/** "Send test": the previewed message, once, to a destination (null: the default), marked as a test. */
export async function sendDeliveryTest(input: DeliveryPreviewInput, destinationId: string): Promise<DeliveryOutcome> {
  const { payload } = await previewDelivery(input);
  return deliver({
    deliveryKey: `test:${crypto.randomUUID()}`,
    destinationId,
    kind: "test",
    payload,
    send: { maxAttempts: 2, baseDelayMs: 500 },
  });
}
