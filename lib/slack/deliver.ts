import crypto from "node:crypto";
import {
  getDestinationById,
  getLastSentDelivery,
  insertDeliveryAttempt,
  insertDeliveryIfAbsent,
  updateDelivery,
} from "@/db/queries/destinations";
import { withWebhookTurn } from "@/lib/slack/pacing";
import type { Delivery } from "@/db/schema/destinations";
import { UserError } from "@/lib/errors";
import type { SlackPayload } from "@/lib/slack/limits";
import { clearDestinationFlag, flagDestination, revealWebhookUrl } from "@/lib/slack/destinations";
import { postToWebhook, type SendOptions } from "@/lib/slack/send";
import { recordSampleDelivery } from "@/lib/slack/sample-destination";

export type DeliveryRequest = {
  /** Unique per message: the run id for pipeline deliveries, so a retried job finds its row. */
  deliveryKey: string;
  destinationId: string;
  payload: SlackPayload;
  kind?: "message" | "test" | "failure_alert";
  runId?: string | null;
  /** The configured delivery this message belongs to, for "only when changed". */
  sourceKey?: string | null;
  /** Hash of the result the message reports; with onlyWhenChanged, equal to the last sent → skipped. */
  contentHash?: string | null;
  onlyWhenChanged?: boolean;
  send?: Pick<SendOptions, "maxAttempts" | "baseDelayMs" | "sleep" | "timeoutMs">;
};

export type DeliveryOutcome = {
  status: "sent" | "skipped" | "failed";
  delivery: Delivery;
  alreadySent: boolean;
  slackResponse?: string;
  permanent?: boolean;
};

export function hashContent(value: unknown): string {
  return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/**
 * Posts one message at most once per (deliveryKey, destination). Slack's acceptance is recorded
 * with a single write straight after its 200, so a worker killed in between is the only way to
 * post twice, and that window is one database write wide.
 */
export async function deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
  const destination = await getDestinationById(req.destinationId);
  if (!destination) throw new UserError("Destination not found", 404);
  const delivery = await insertDeliveryIfAbsent({
    deliveryKey: req.deliveryKey,
    destinationId: destination.id,
    runId: req.runId ?? null,
    sourceKey: req.sourceKey ?? null,
    kind: req.kind ?? "message",
    contentHash: req.contentHash ?? null,
    payload: req.payload as unknown as Record<string, unknown>,
  });
  if (delivery.status === "sent" || delivery.status === "skipped") {
    return { status: delivery.status, delivery, alreadySent: delivery.status === "sent" };
  }

  if (req.onlyWhenChanged && req.sourceKey && req.contentHash) {
    const last = await getLastSentDelivery(req.sourceKey, destination.id);
    if (last && last.contentHash === req.contentHash) {
      await updateDelivery(delivery.id, { status: "skipped", skipReason: "The result has not changed since the last message" });
      return { status: "skipped", delivery: { ...delivery, status: "skipped" }, alreadySent: false };
    }
  }

  if (destination.kind === "sample") {
    const recorded = await recordSampleDelivery(delivery, req.payload);
    return recorded.status === "sent"
      ? { status: "sent", delivery: recorded.delivery, alreadySent: false, slackResponse: recorded.response }
      : { status: "failed", delivery: recorded.delivery, alreadySent: false, slackResponse: recorded.response, permanent: true };
  }

  const url = revealWebhookUrl(destination);
  let attempts = delivery.attempts;
  const outcome = await postToWebhook(url, req.payload, {
    ...req.send,
    paced: (post) => withWebhookTurn(destination.id, post),
    beforeAttempt: async () => {
      attempts++;
      await updateDelivery(delivery.id, { status: "sending", attempts });
    },
    onAttempt: async (record) => {
      if (record.statusCode !== undefined && record.statusCode >= 200 && record.statusCode < 300) {
        // The one write between Slack's acceptance and our record of it.
        await updateDelivery(delivery.id, { status: "sent", sentAt: new Date(), error: null });
      }
      await insertDeliveryAttempt({
        deliveryId: delivery.id,
        attempt: attempts,
        statusCode: record.statusCode ?? null,
        response: record.response ?? null,
        error: record.error ?? null,
      });
    },
  });

  if (outcome.ok) {
    // Normally recorded in onAttempt already; repeated here in case that write failed.
    await updateDelivery(delivery.id, { status: "sent", sentAt: new Date(), error: null }).catch(() => {});
    if (destination.status === "needs_attention") await clearDestinationFlag(destination.id).catch(() => {});
    return { status: "sent", delivery: { ...delivery, status: "sent", attempts }, alreadySent: false, slackResponse: outcome.response };
  }
  await updateDelivery(delivery.id, { status: "failed", error: outcome.error.slice(0, 1000) });
  // A bad payload is this message's fault; the webhook itself is fine and is not flagged.
  const payloadProblem = /invalid_payload|invalid_blocks|no_text/.test(outcome.response ?? "");
  if (outcome.permanent && !payloadProblem) {
    await flagDestination(destination.id, `Slack answered ${outcome.statusCode ?? ""} ${outcome.response ?? outcome.error}`.trim());
  }
  return {
    status: "failed",
    delivery: { ...delivery, status: "failed", attempts },
    alreadySent: false,
    slackResponse: outcome.response,
    permanent: outcome.permanent,
  };
}

/** "Send test message": a short post, answered with what Slack said. */
export async function sendTestMessage(destinationId: string, actorEmail: string): Promise<DeliveryOutcome> {
  return deliver({
    deliveryKey: `test:${crypto.randomUUID()}`,
    destinationId,
    kind: "test",
    payload: {
      text: "Relayboard test message",
      blocks: [
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: ":wave: This is a test message from *Relayboard*. Deliveries to this webhook will look like this.",
          },
        },
        { type: "context", elements: [{ type: "mrkdwn", text: `Sent by ${actorEmail.replace(/[<>&]/g, "")}` }] },
      ],
    },
    send: { maxAttempts: 2, baseDelayMs: 500 },
  });
}
