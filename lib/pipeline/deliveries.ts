import { getDatasetById } from "@/db/queries/datasets";
import { getDefaultDestination, getDestinationById } from "@/db/queries/destinations";
import { getPipelineById, getRunById, listRunSteps } from "@/db/queries/pipelines";
import type { Dataset } from "@/db/schema/datasets";
import type { Pipeline, PipelineDelivery, Run } from "@/db/schema/pipelines";
import { getEnv } from "@/lib/env";
import { deliver, hashContent } from "@/lib/slack/deliver";
import { renderMessage, type ResultTable, type TemplateValues } from "@/lib/slack/render";
import { loadResultTable } from "@/lib/slack/result-table";
import { clipErrorText } from "@/lib/transform/error-text";

export function runUrl(runId: string): string {
  return `${getEnv().appUrl}/runs/${runId}`;
}

/** The summary a default pipeline posts: what was loaded, with a link to the run. */
export function defaultDelivery(datasetName: string): PipelineDelivery {
  return {
    destinationId: null,
    condition: "always",
    template: {
      header: "{{dataset.name}} refreshed",
      text: "*{{run.rows}}* rows loaded into `{{dataset.name}}` ({{dataset.rows}} in total). <{{run.url}}|Open the run>",
      table: { model: datasetName, limit: 10 },
    },
  };
}

async function runValues(run: Run, pipeline: Pipeline, dataset: Dataset, table?: { model: string; rows: number }): Promise<TemplateValues> {
  const steps = await listRunSteps(run.id);
  const load = steps.find((s) => s.name === "load");
  return {
    "dataset.name": dataset.name,
    "dataset.rows": dataset.rowCount ?? 0,
    "run.id": run.id,
    "run.rows": load?.counts.rows ?? 0,
    "run.status": run.status === "running" ? "succeeded" : run.status,
    "run.url": runUrl(run.id),
    "run.trigger": run.trigger,
    "pipeline.name": pipeline.name,
    "model.name": table?.model ?? null,
    "model.rowCount": table?.rows ?? null,
    now: new Date().toISOString(),
  };
}

export type DeliverStepResult = { sent: number; failed: number; skipped: string[]; errors: string[] };

/**
 * The deliver step: each configured message to its destination, at most once per run (the
 * delivery key is the run id and the delivery's position), honouring its condition.
 */
export async function deliverRunMessages(
  run: Run,
  pipeline: Pipeline,
  dataset: Dataset,
  rt: { stepLog: (level: "info" | "warn" | "error", message: string) => Promise<void> },
): Promise<DeliverStepResult> {
  const result: DeliverStepResult = { sent: 0, failed: 0, skipped: [], errors: [] };
  const fresh = (await getDatasetById(dataset.id)) ?? dataset;
  for (const [index, config] of pipeline.deliveries.entries()) {
    const destination = config.destinationId ? await getDestinationById(config.destinationId) : await getDefaultDestination();
    if (!destination) {
      const reason = config.destinationId ? "its destination was deleted" : "no default Slack destination is set";
      result.skipped.push(`message ${index + 1}: ${reason}`);
      await rt.stepLog("info", `Message ${index + 1} skipped: ${reason}`);
      continue;
    }
    let table: ResultTable | undefined;
    if (config.template.table) {
      try {
        table = await loadResultTable(config.template.table);
      } catch (err) {
        result.failed++;
        result.errors.push(`message ${index + 1}: ${(err as Error).message}`);
        continue;
      }
    }
    if (config.condition === "has_rows" && table && table.totalRows === 0) {
      result.skipped.push(`message ${index + 1}: the result has no rows`);
      await rt.stepLog("info", `Message ${index + 1} skipped: the result has no rows`);
      continue;
    }
    const values = await runValues(
      run,
      pipeline,
      fresh,
      table && config.template.table ? { model: config.template.table.model, rows: table.totalRows } : undefined,
    );
    const payload = renderMessage(config.template, values, table, { runUrl: runUrl(run.id), runId: run.id });
    const outcome = await deliver({
      deliveryKey: `run:${run.id}:${index}`,
      destinationId: destination.id,
      runId: run.id,
      sourceKey: `pipeline:${pipeline.id}:${index}`,
      contentHash: hashContent(table ? { columns: table.columns, rows: table.rows, total: table.totalRows } : values["dataset.rows"]),
      onlyWhenChanged: config.condition === "changed",
      payload,
    });
    if (outcome.status === "sent") {
      result.sent++;
      await rt.stepLog(
        "info",
        `Message ${index + 1} sent to ${destination.name}${outcome.alreadySent ? " (already sent before a restart)" : ""}`,
      );
    } else if (outcome.status === "skipped") {
      result.skipped.push(`message ${index + 1}: unchanged since the last message`);
      await rt.stepLog("info", `Message ${index + 1} skipped: the result has not changed`);
    } else {
      result.failed++;
      result.errors.push(`message ${index + 1} to ${destination.name}: ${outcome.delivery.error ?? outcome.slackResponse ?? "failed"}`);
      await rt.stepLog("error", `Message ${index + 1} to ${destination.name} failed: ${outcome.slackResponse ?? ""}`);
    }
  }
  return result;
}

/** A failed run posts a short alert with the failing step and error to the chosen destination. */
export async function sendFailureAlert(runId: string): Promise<void> {
  const run = await getRunById(runId);
  if (!run || run.status !== "failed") return;
  const pipeline = await getPipelineById(run.pipelineId);
  if (!pipeline?.failureAlertDestinationId) return;
  const url = runUrl(run.id);
  const step = run.error?.step ?? "a step";
  await deliver({
    deliveryKey: `alert:${run.id}`,
    destinationId: pipeline.failureAlertDestinationId,
    runId: run.id,
    kind: "failure_alert",
    payload: renderMessage(
      { header: "Pipeline {{pipeline.name}} failed", text: `The *${step}* step failed: {{run.status}}` },
      // The error may quote a failing value (user data): the alert carries only its head.
      { "pipeline.name": pipeline.name, "run.status": run.error?.message ? clipErrorText(run.error.message) : "failed" },
      undefined,
      { runUrl: url, runId: run.id },
    ),
  });
}
