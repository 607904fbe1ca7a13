import { getDatasetById } from "@/db/queries/datasets";
import { getDefaultDestination, getDestinationById } from "@/db/queries/destinations";
import { getPipelineById, getPreviousDeliveryEvaluation, getRunById, listRunSteps, recordDeliveryEvaluation } from "@/db/queries/pipelines";
import type { Dataset } from "@/db/schema/datasets";
import type { AlertCondition, Pipeline, PipelineDelivery, Run } from "@/db/schema/pipelines";
import { getEnv } from "@/lib/env";
import { deliver, hashContent } from "@/lib/slack/deliver";
import { escapeMrkdwn, renderMessage, type ResultTable, type TemplateValues } from "@/lib/slack/render";
import { loadResultTable, tableCell } from "@/lib/slack/result-table";
import { clipErrorText } from "@/lib/transform/error-text";
import { isBlockingResult } from "@/lib/transform/test-severity";
import { describeTestOutcome, runTestResults, type RunTestResult } from "@/lib/pipeline/test-outcomes";
import { evaluateCondition, type Evaluation } from "@/lib/pipeline/alert-conditions";
import { decideFiring, describeCondition, normalizeCondition } from "@/lib/pipeline/alert-rules";
import { deliverDigest, type DigestOutcome } from "@/lib/pipeline/digests";
import { UserError } from "@/lib/errors";

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

/** A message's variables as a run fills them (also what the pipeline editor previews with). */
export async function runValues(
  run: Run,
  pipeline: Pick<Pipeline, "name">,
  dataset: Dataset,
  table?: { model: string; rows: number },
): Promise<TemplateValues> {
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

type Verdict = { send: "message" | "recovery" | null; why: string; reason: string } | { error: string };

/**
 * Whether a delivery sends on this run: its condition evaluated on the model (recorded once per
 * run, so a repeated deliver step decides the same), its firing mode against the last successful
 * run's verdict, and its snooze.
 */
async function judgeDelivery(run: Run, pipeline: Pipeline, config: PipelineDelivery, index: number): Promise<Verdict> {
  // A message saved with "only when the table has rows" but no table was always sent.
  const saved = config.condition === "has_rows" && !config.template.table ? "always" : config.condition;
  const condition = normalizeCondition(saved);
  const fire = config.fire ?? "every_run";
  const snoozed = Boolean(config.snoozeUntil && new Date(config.snoozeUntil).getTime() > Date.now());
  if (condition.kind === "always") {
    return snoozed
      ? { send: null, why: `snoozed until ${config.snoozeUntil}`, reason: "snoozed" }
      : { send: "message", why: "sent on every run", reason: "" };
  }
  const key = { pipelineId: pipeline.id, deliveryIndex: index, runId: run.id, conditionKey: conditionKey(condition, config) };
  const [lastTold, lastSucceeded] = await Promise.all([
    getPreviousDeliveryEvaluation(key, { succeededOnly: false }),
    getPreviousDeliveryEvaluation(key, { succeededOnly: true }),
  ]);
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateCondition(condition, config.template.table?.model ?? null, lastSucceeded?.value ?? null);
  } catch (err) {
    return { error: clipErrorText((err as Error).message) };
  }
  // Snoozed, the team is not told: when the snooze ends and it still holds, it is news.
  const recorded = await recordDeliveryEvaluation({ ...key, ...evaluation, told: evaluation.holds && !snoozed });
  const decision = decideFiring(fire, recorded.holds, lastTold?.told ?? null);
  if (decision.send && snoozed) return { send: null, why: `snoozed until ${config.snoozeUntil}: ${recorded.reason}`, reason: "snoozed" };
  return { send: decision.send, why: `${decision.why}: ${recorded.reason}`, reason: recorded.reason };
}

/** Identifies a condition's history: the same condition on the same model, whatever else of the message changed. */
function conditionKey(condition: AlertCondition, config: PipelineDelivery): string {
  return JSON.stringify({ ...condition, model: condition.model ?? config.template.table?.model ?? null, fire: config.fire ?? "every_run" });
}

/**
 * `refused`: messages a destination answered with a permanent error (revoked webhook, archived
 * channel, a payload Slack would not take): the run did its part and says so as a warning (the
 * destination is flagged for a look); `errors` (a condition that cannot be read, Slack unreachable
 * after every retry) fail the step, so a retry can still deliver.
 */
export type DeliverStepResult = { sent: number; failed: number; skipped: string[]; errors: string[]; refused: string[] };

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
  const result: DeliverStepResult = { sent: 0, failed: 0, skipped: [], errors: [], refused: [] };
  const notDelivered = async (what: string, outcome: { permanent?: boolean }, detail: string) => {
    if (outcome.permanent) {
      result.refused.push(`${what} was refused: ${detail}`);
      await rt.stepLog("warn", `${what} was refused: ${detail}`);
    } else {
      result.failed++;
      result.errors.push(`${what}: ${detail}`);
      await rt.stepLog("error", `${what} failed: ${detail}`);
    }
  };
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
    const verdict = await judgeDelivery(run, pipeline, config, index);
    if ("error" in verdict) {
      result.failed++;
      result.errors.push(`message ${index + 1}: ${verdict.error}`);
      await rt.stepLog("error", `Message ${index + 1}: ${verdict.error}`);
      continue;
    }
    if (verdict.send === null) {
      result.skipped.push(`message ${index + 1}: ${verdict.why}`);
      await rt.stepLog("info", `Message ${index + 1} not sent: ${verdict.why}`);
      continue;
    }
    if (verdict.send === "recovery") {
      const outcome = await deliver({
        deliveryKey: `run:${run.id}:${index}:recovery`,
        destinationId: destination.id,
        runId: run.id,
        payload: renderMessage(
          {
            header: "Back to normal: {{pipeline.name}}",
            text: `No longer ${literal(describeCondition(config.condition))}: ${literal(verdict.reason)}.`,
          },
          { "pipeline.name": pipeline.name },
          undefined,
          { runUrl: runUrl(run.id), runId: run.id },
        ),
      });
      if (outcome.status === "sent") {
        result.sent++;
        await rt.stepLog("info", `Message ${index + 1}: "back to normal" sent to ${destination.name}`);
      } else {
        await notDelivered(`Message ${index + 1} (back to normal) to ${destination.name}`, outcome, outcome.delivery.error ?? "failed");
      }
      continue;
    }
    const values = await runValues(
      run,
      pipeline,
      fresh,
      table && config.template.table ? { model: config.template.table.model, rows: table.totalRows } : undefined,
    );
    const render = { runUrl: runUrl(run.id), runId: run.id, timeZone: pipeline.scheduleTimezone };
    if (config.digest && config.template.table) {
      let digest: DigestOutcome;
      try {
        digest = await deliverDigest({ run, pipeline, config, index, destination, values, render });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        digest = { sent: 0, note: "", error: err.message };
      }
      result.sent += digest.sent;
      if (digest.error) {
        await notDelivered(`Message ${index + 1} (what changed) to ${destination.name}`, digest, digest.error);
      } else if (digest.skipped) {
        result.skipped.push(`message ${index + 1}: ${digest.skipped}`);
        await rt.stepLog("info", `Message ${index + 1} not sent: ${digest.skipped}`);
      } else {
        await rt.stepLog(
          "info",
          `Message ${index + 1}: what changed (${digest.note}) sent to ${destination.name} in ${digest.sent} message${digest.sent === 1 ? "" : "s"}`,
        );
      }
      continue;
    }
    const payload = renderMessage(config.template, values, table, render);
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
      await notDelivered(
        `Message ${index + 1} to ${destination.name}`,
        outcome,
        outcome.delivery.error ?? outcome.slackResponse ?? "failed",
      );
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
  return { columns, rows: sample.map((row) => columns.map((c) => tableCell(row[c]))), totalRows: test.failingRows };
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
