import type { Logger } from "pino";
import { listDatasetsWithFreshness, moveFreshnessState } from "@/db/queries/datasets";
import { getDefaultDestination, getDestinationById } from "@/db/queries/destinations";
import { getDefaultPipelineForDataset } from "@/db/queries/pipelines";
import type { Dataset, FreshnessState } from "@/db/schema/datasets";
import { getEnv } from "@/lib/env";
import { judgeFreshness, type FreshnessVerdict } from "@/lib/ingest/freshness";
import { deliver } from "@/lib/slack/deliver";
import { escapeMrkdwn, formatTime, renderMessage } from "@/lib/slack/render";

/** How often one dataset is judged at most; the worker's housekeeping calls far more often. */
export const FRESHNESS_CHECK_INTERVAL_MS = 60_000;

/** Where a freshness alert goes: the dataset's own pipeline's alert destination, else the default. */
async function alertDestination(dataset: Dataset) {
  const pipeline = await getDefaultPipelineForDataset(dataset.id);
  const chosen = pipeline?.failureAlertDestinationId ? await getDestinationById(pipeline.failureAlertDestinationId) : null;
  return chosen ?? (await getDefaultDestination());
}

const HEADERS: Record<FreshnessState, string> = {
  ok: "{{dataset.name}} is fresh again",
  warn: "{{dataset.name}} is getting stale",
  error: "{{dataset.name}} is stale",
};

async function announce(dataset: Dataset, from: FreshnessState | null, verdict: FreshnessVerdict, checkedAt: Date): Promise<void> {
  const destination = await alertDestination(dataset);
  if (!destination || !verdict.state) return;
  const url = `${getEnv().appUrl}/datasets/${encodeURIComponent(dataset.name)}`;
  const thresholds = [
    dataset.freshness?.warnAfter ? `warn after ${dataset.freshness.warnAfter}` : null,
    dataset.freshness?.errorAfter ? `error after ${dataset.freshness.errorAfter}` : null,
  ].filter(Boolean);
  const text =
    `Freshness went from *${from ?? "unknown"}* to *${verdict.state}*: ${escapeMrkdwn(verdict.reason)}` +
    (verdict.changedAt ? ` (content last changed ${formatTime(verdict.changedAt, "UTC")})` : "") +
    `. Thresholds: ${thresholds.join(", ")}. <${url}|Open the dataset>`;
  await deliver({
    // One message per change of state: the same change found twice posts once.
    deliveryKey: `freshness:${dataset.id}:${verdict.state}:${checkedAt.toISOString()}`,
    destinationId: destination.id,
    kind: "failure_alert",
    payload: renderMessage({ header: HEADERS[verdict.state], text }, { "dataset.name": dataset.name }),
  });
}

/**
 * Judges every dataset with freshness thresholds and announces each change of state once
 * (ok → warn → error → ok): the recorded state moves by compare-and-set, so of several workers
 * checking at once only the one that moved it posts. A first verdict of `ok` is not news.
 */
export async function checkFreshness(log: Logger, now = new Date(), opts: { everyDataset?: boolean } = {}): Promise<number> {
  let changed = 0;
  const checkedBefore = opts.everyDataset ? undefined : new Date(now.getTime() - FRESHNESS_CHECK_INTERVAL_MS);
  for (const { dataset, changedAt } of await listDatasetsWithFreshness({ checkedBefore })) {
    const verdict = judgeFreshness(dataset.freshness, changedAt, now);
    const from = dataset.freshnessState ?? null;
    if (!(await moveFreshnessState(dataset.id, from, verdict.state, now))) continue;
    if (verdict.state === from || (from === null && verdict.state === "ok") || verdict.state === null) continue;
    changed++;
    log.info({ dataset: dataset.name, from, to: verdict.state }, "dataset freshness changed");
    await announce(dataset, from, verdict, now).catch((err) =>
      log.warn({ dataset: dataset.name, err: String(err) }, "freshness alert not sent"),
    );
  }
  return changed;
}
