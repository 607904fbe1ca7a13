import { countSentDeliveries } from "@/db/queries/destinations";
import {
  finishDeliveryDigest,
  getDeliveryDigest,
  getLastDeliveredDigest,
  listUnfinishedDeliveryDigests,
  recordDeliveryDigest,
} from "@/db/queries/pipelines";
import type { Destination } from "@/db/schema/destinations";
import { DEFAULT_DIGEST_ROWS, type DeliveryDigest, type Pipeline, type PipelineDelivery, type Run } from "@/db/schema/pipelines";
import { discardDigestNext, prepareDigestDiff, promoteDigestSnapshot, type DigestTarget } from "@/lib/pipeline/digest-diff";
import { describeDigestCounts, renderBaselineNote, renderDigestMessage, renderPerRowMessages } from "@/lib/pipeline/digest-message";
import { deliver } from "@/lib/slack/deliver";
import type { SlackPayload } from "@/lib/slack/limits";
import type { RenderOptions, TemplateValues } from "@/lib/slack/render";

/**
 * A "what changed" delivery, exactly once under crashes:
 * 1. the diff is computed in Postgres and its messages are recorded (delivery_digests) before
 *    anything is posted; a restarted step posts the recorded messages, never a new diff;
 * 2. each message is posted under its own delivery key (at most once, lib/slack/deliver.ts);
 * 3. only when all were accepted does the new result become the delivered snapshot.
 * A run that ends between 2 and 3 is settled by the next run of the delivery: all accepted → the
 * snapshot moves on; none accepted → its changes come again in the next diff.
 */

/** `permanent`: the destination refused (see DeliverStepResult). */
export type DigestOutcome = { sent: number; skipped?: string; error?: string; permanent?: boolean; note: string };

/** Each recorded message's delivery key: the first as a plain delivery's, so the run page lists it the same way. */
export function digestDeliveryKey(runId: string, index: number, message: number): string {
  return message === 0 ? `run:${runId}:${index}` : `run:${runId}:${index}:${message}`;
}

/** What the snapshot is of: another model, key or set of compared columns starts a new baseline. */
function digestKeyOf(config: PipelineDelivery): string {
  const table = config.template.table!;
  return JSON.stringify({ model: table.model, key: config.digest!.key, columns: table.columns?.length ? table.columns : null });
}

/** Earlier runs' digests that never finished: moved on if Slack accepted all their messages, dropped otherwise. */
async function settleEarlierDigests(target: DigestTarget, runId: string): Promise<void> {
  const unfinished = await listUnfinishedDeliveryDigests({ ...target, runId });
  for (const [i, digest] of unfinished.entries()) {
    const keys = digest.payloads.map((_, m) => digestDeliveryKey(digest.runId, digest.deliveryIndex, m));
    const accepted = await countSentDeliveries(keys);
    // Only the latest can still have its next table; older ones were overwritten by it.
    const latest = i === unfinished.length - 1;
    if (accepted === keys.length && latest) {
      await promoteDigestSnapshot(target);
      await finishDeliveryDigest(digest.id, "delivered");
    } else {
      if (latest) await discardDigestNext(target);
      await finishDeliveryDigest(digest.id, "abandoned");
    }
  }
}

async function prepare(
  run: Run,
  pipeline: Pipeline,
  config: PipelineDelivery,
  index: number,
  values: TemplateValues,
  opts: RenderOptions,
): Promise<DeliveryDigest> {
  const target = { pipelineId: pipeline.id, deliveryIndex: index };
  const table = config.template.table!;
  const digest = config.digest!;
  await settleEarlierDigests(target, run.id);
  const digestKey = digestKeyOf(config);
  const last = await getLastDeliveredDigest(pipeline.id, index);
  const diff = await prepareDigestDiff({
    target,
    model: table.model,
    key: digest.key,
    columns: table.columns,
    baseline: !last || last.digestKey !== digestKey,
    sample: digest.maxRows ?? DEFAULT_DIGEST_ROWS,
  });
  const render = { ...opts, model: table.model };
  let payloads: SlackPayload[] = [];
  if (diff.baseline) {
    if (digest.baselineMessage) payloads = [renderBaselineNote(values, diff, { ...render, header: config.template.header })];
  } else if (diff.added + diff.changed + diff.removed > 0) {
    payloads =
      digest.mode === "per_row"
        ? renderPerRowMessages(config.template, values, diff, digest, render)
        : [renderDigestMessage(config.template, values, diff, render)];
  }
  return recordDeliveryDigest({
    pipelineId: pipeline.id,
    deliveryIndex: index,
    runId: run.id,
    digestKey,
    baseline: diff.baseline,
    counts: { added: diff.added, changed: diff.changed, removed: diff.removed, rows: diff.rows },
    payloads: payloads as unknown as Record<string, unknown>[],
  });
}

export async function deliverDigest(input: {
  run: Run;
  pipeline: Pipeline;
  config: PipelineDelivery;
  index: number;
  destination: Destination;
  values: TemplateValues;
  render: RenderOptions;
}): Promise<DigestOutcome> {
  const { run, pipeline, config, index, destination } = input;
  const target = { pipelineId: pipeline.id, deliveryIndex: index };
  const recorded = await getDeliveryDigest(run.id, index);
  const digest = recorded ?? (await prepare(run, pipeline, config, index, input.values, input.render));
  const summary = digest.baseline ? `baseline taken (${digest.counts.rows} rows)` : describeDigestCounts(digest.counts);
  const done = (sent: number): DigestOutcome =>
    sent > 0
      ? { sent, note: summary }
      : { sent, note: summary, skipped: digest.baseline ? summary : "nothing changed since the last delivered result" };
  // A step repeated after it finished (a worker died before recording the step): same answer, nothing posted.
  if (digest.status !== "prepared") return done(digest.payloads.length);

  let sent = 0;
  for (const [m, payload] of digest.payloads.entries()) {
    const outcome = await deliver({
      deliveryKey: digestDeliveryKey(run.id, index, m),
      destinationId: destination.id,
      runId: run.id,
      sourceKey: `pipeline:${pipeline.id}:${index}`,
      payload: payload as unknown as SlackPayload,
    });
    if (outcome.status !== "sent") {
      // Not moved on: the next attempt (or run) posts the rest, and nothing already accepted again.
      return {
        sent,
        note: summary,
        error: outcome.delivery.error ?? outcome.slackResponse ?? "failed",
        permanent: outcome.permanent,
      };
    }
    sent++;
  }
  await promoteDigestSnapshot(target);
  await finishDeliveryDigest(digest.id, "delivered");
  return done(sent);
}
