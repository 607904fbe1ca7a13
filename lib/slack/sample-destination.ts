import crypto from "node:crypto";
import { getDb } from "@/db";
import {
  getDefaultDestination,
  insertDeliveryAttempt,
  insertDestination,
  listDestinations,
  updateDelivery,
} from "@/db/queries/destinations";
import type { Delivery, Destination } from "@/db/schema/destinations";
import { audit, type AuditActor } from "@/lib/audit";
import { encryptSecret } from "@/lib/crypto/secret-box";
import { getEnv } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { checkPayload, type SlackPayload } from "@/lib/slack/limits";

/**
 * A sample destination (shown as a "test channel") is a Slack channel that needs no Slack: each
 * message is checked against Slack's limits (answering as Slack would) and recorded with its exact
 * Block Kit payload, and the app shows it as the channel would. Nothing is sent anywhere, so it needs no URL, no allow-list
 * entry and no exception in the outbound guard.
 */
export const SAMPLE_DESTINATION_NAME = "Sample channel";
export const SAMPLE_RESPONSE = "recorded: test channel, nothing was posted";

export type SampleRecordOutcome =
  { status: "sent"; delivery: Delivery; response: string } | { status: "failed"; delivery: Delivery; response: string; error: string };

/** What deliver() does for a sample destination instead of posting. */
export async function recordSampleDelivery(delivery: Delivery, payload: SlackPayload): Promise<SampleRecordOutcome> {
  const attempt = delivery.attempts + 1;
  const problem = checkPayload(payload);
  if (problem) {
    const error = `Slack would answer 400 ${problem.error}: ${problem.detail}`;
    await updateDelivery(delivery.id, { status: "failed", attempts: attempt, error });
    await insertDeliveryAttempt({ deliveryId: delivery.id, attempt, statusCode: null, response: problem.error, error });
    return { status: "failed", delivery: { ...delivery, status: "failed", attempts: attempt, error }, response: problem.error, error };
  }
  const sentAt = new Date();
  await updateDelivery(delivery.id, { status: "sent", attempts: attempt, sentAt, error: null });
  await insertDeliveryAttempt({ deliveryId: delivery.id, attempt, statusCode: null, response: SAMPLE_RESPONSE, error: null });
  return { status: "sent", delivery: { ...delivery, status: "sent", attempts: attempt, sentAt, error: null }, response: SAMPLE_RESPONSE };
}

export const TEST_CHANNEL_NAME = "Test channel";

export type TestChannelResult = { destination: Destination; created: boolean };

/**
 * Destinations → "Add a test channel": the recording stand-in above, at any time. One per install:
 * an existing one (the onboarding sample's included) is reused, so repeated or concurrent clicks
 * end at the same channel. It is never made the default: the default also receives failure alerts
 * and schema notices, which must not vanish into a channel that posts nothing, and the first real
 * webhook added afterwards still becomes the default (see createDestination).
 */
export async function ensureTestChannel(actor: { id: string } & NonNullable<AuditActor>): Promise<TestChannelResult> {
  const findExisting = async () => (await listDestinations()).find((d) => d.kind === "sample");
  const existing = await findExisting();
  if (existing) return { destination: existing, created: false };
  for (const name of [TEST_CHANNEL_NAME, `${TEST_CHANNEL_NAME} (records only)`]) {
    const id = crypto.randomUUID();
    const row = await insertDestination({ id, name, isDefault: false, createdBy: actor.id, ...recordingOnly(id) });
    if (!row) {
      // Taken: by a concurrent click (then that one is the answer) or by a destination of the user's.
      const raced = await findExisting();
      if (raced) return { destination: raced, created: false };
      continue;
    }
    await audit("destination.created", actor, { type: "destination", id: row.id, name: row.name }, { kind: "sample", default: false });
    return { destination: row, created: true };
  }
  throw new UserError(`Destinations named ${TEST_CHANNEL_NAME} already exist; rename one and try again`, 409);
}

/** The columns a recording destination has instead of a webhook URL. */
function recordingOnly(id: string) {
  return {
    kind: "sample" as const,
    // The column is required; a sample has no URL, and this marker is never revealed.
    webhookCiphertext: encryptSecret("sample:", getEnv().encryptionKey, `destination:${id}`),
    webhookHost: "sample",
    webhookLast4: "",
  };
}

/**
 * The install's sample destination, created once. It becomes the default only when no default
 * exists, so a real channel stays the default where there is one.
 */
export async function ensureSampleDestination(actor: { id: string } & NonNullable<AuditActor>): Promise<Destination> {
  const existing = (await listDestinations()).find((d) => d.kind === "sample");
  if (existing) return existing;
  for (const name of [SAMPLE_DESTINATION_NAME, `${SAMPLE_DESTINATION_NAME} (sample data)`]) {
    const id = crypto.randomUUID();
    const row = await getDb().transaction(async (tx) => {
      const makeDefault = !(await getDefaultDestination(tx));
      return insertDestination(
        {
          id,
          name,
          ...recordingOnly(id),
          isDefault: makeDefault,
          createdBy: actor.id,
        },
        tx,
      );
    });
    if (!row) continue; // the name is taken by a destination of the user's
    await audit(
      "destination.created",
      actor,
      { type: "destination", id: row.id, name: row.name },
      { kind: "sample", default: row.isDefault },
    );
    return row;
  }
  throw new UserError(`Destinations named ${SAMPLE_DESTINATION_NAME} already exist; rename one and try again`, 409);
}
