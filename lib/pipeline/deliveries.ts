import { getDatasetById } from "@/db/queries/datasets";
import { getDefaultDestination, getDestinationById } from "@/db/queries/destinations";
import { getPipelineById, getRunById, listRunSteps } from "@/db/queries/pipelines";
import type { Dataset } from "@/db/schema/datasets";
import type { Pipeline, PipelineDelivery, Run } from "@/db/schema/pipelines";
import { getEnv } from "@/lib/env";
import { deliver, hashContent } from "@/lib/slack/deliver";
import { escapeMrkdwn, renderMessage, type ResultTable, type TemplateValues } from "@/lib/slack/render";
import { loadResultTable } from "@/lib/slack/result-table";
import { clipErrorText } from "@/lib/transform/error-text";
import { isBlockingResult } from "@/lib/transform/test-severity";
import { describeTestOutcome, runTestResults, type RunTestResult } from "@/lib/pipeline/test-outcomes";

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

/** Failing rows an alert shows for the first failed test: enough to recognise the problem. */
export const ALERT_FAILING_ROWS = 10;

/** Text placed into a template as is: mrkdwn-escaped, and no `{{` left for the template to fill. */
function literal(text: string): string {
  return escapeMrkdwn(text).replace(/\{\{/g, "{\u200b{");
}

/** Up to ALERT_FAILING_ROWS failing rows of a failed test as the message's table, columns as the sample has them. */
function failingRowsTable(test: RunTestResult): ResultTable | undefined {
  const sample = test.sample.slice(0, ALERT_FAILING_ROWS);
  if (sample.length === 0) return undefined;
  const columns = [...new Set(sample.flatMap((row) => Object.keys(row)))];
  const cell = (v: unknown) =>
    v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : (v as string | number | boolean);
  return { columns, rows: sample.map((row) => columns.map((c) => cell(row[c]))), totalRows: test.failingRows };
}

/**
 * A failed run posts an alert to the pipeline's alert destination: the failed step, its error,
 * the tests that failed with up to ALERT_FAILING_ROWS failing rows of the first, and a link to the run.
 */
export async function sendFailureAlert(runId: string): Promise<void> {
  const run = await getRunById(runId);
  if (!run || run.status !== "failed") return;
  const pipeline = await getPipelineById(run.pipelineId);
  if (!pipeline?.failureAlertDestinationId) return;
  const url = runUrl(run.id);
  const step = run.error?.step ?? "a";
  // The error may quote a failing value (user data): the alert carries only its head.
  const lines = [`The *${step}* step failed: ${literal(clipErrorText(run.error?.message ?? "failed"))}`];
  let table: ResultTable | undefined;
  if (run.error?.step === "test") {
    const failed = (await runTestResults(run.id)).filter(isBlockingResult);
    for (const test of failed.slice(0, 5)) lines.push(`• ${literal(describeTestOutcome(test))}`);
    if (failed.length > 5) lines.push(`…and ${failed.length - 5} more`);
    const first = failed.find((t) => t.sample.length);
    if (first) {
      table = failingRowsTable(first);
      lines.push(`Failing rows of ${literal(`${first.model}: ${first.name}`)}:`);
    }
  }
  await deliver({
    deliveryKey: `alert:${run.id}`,
    destinationId: pipeline.failureAlertDestinationId,
    runId: run.id,
    kind: "failure_alert",
    payload: renderMessage(
      { header: "Pipeline {{pipeline.name}} failed", text: lines.join("\n") },
      { "pipeline.name": pipeline.name },
      table,
      { runUrl: url, runId: run.id },
    ),
  });
}
