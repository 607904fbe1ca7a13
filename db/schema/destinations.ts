import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";
import { users } from "./users";

export const destinations = appSchema.table(
  "destinations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /**
     * "webhook" posts to the stored URL. "sample" (the onboarding sample data) posts nothing: each
     * message is checked against Slack's limits and recorded with its exact payload, and the app
     * shows it as the channel would.
     */
    kind: text("kind", { enum: ["webhook", "sample"] })
      .notNull()
      .default("webhook"),
    /** AES-256-GCM ciphertext of the webhook URL ("v1:" + iv + tag + data, base64), bound to this row's id. */
    webhookCiphertext: text("webhook_ciphertext").notNull(),
    /** Safe to show: the host and the last four characters, e.g. hooks.slack.com …/AbCd. */
    webhookHost: text("webhook_host").notNull(),
    webhookLast4: text("webhook_last4").notNull(),
    isDefault: boolean("is_default").notNull().default(false),
    status: text("status", { enum: ["ok", "needs_attention"] })
      .notNull()
      .default("ok"),
    attentionReason: text("attention_reason"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("destinations_name_unique").on(t.name),
    // At most one default destination.
    uniqueIndex("destinations_one_default")
      .on(t.isDefault)
      .where(sql`${t.isDefault}`),
  ],
);

/** Shared across workers: the earliest moment the next message to a webhook may go out (1/s). */
export const webhookSlots = appSchema.table("webhook_slots", {
  destinationId: uuid("destination_id")
    .primaryKey()
    .references(() => destinations.id, { onDelete: "cascade" }),
  nextAllowedAt: timestamp("next_allowed_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One message for one (delivery key, destination): the key is the run id for pipeline deliveries,
 * so a retried job finds the row and never posts twice.
 */
export const deliveries = appSchema.table(
  "deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    deliveryKey: text("delivery_key").notNull(),
    destinationId: uuid("destination_id")
      .notNull()
      .references(() => destinations.id, { onDelete: "cascade" }),
    runId: uuid("run_id"),
    /** Identifies the configured delivery (pipeline + index) for "only when changed". */
    sourceKey: text("source_key"),
    kind: text("kind", { enum: ["message", "test", "failure_alert"] })
      .notNull()
      .default("message"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed", "skipped"] })
      .notNull()
      .default("pending"),
    contentHash: text("content_hash"),
    payload: jsonb("payload").$type<Record<string, unknown>>(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    skipReason: text("skip_reason"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("deliveries_key_destination").on(t.deliveryKey, t.destinationId),
    index("deliveries_source").on(t.sourceKey, t.createdAt),
  ],
);

export const deliveryAttempts = appSchema.table(
  "delivery_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    response: text("response"),
    error: text("error"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("delivery_attempts_delivery").on(t.deliveryId, t.attempt)],
);

export type Destination = typeof destinations.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;
export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;
