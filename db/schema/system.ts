import { integer, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";

/** Each worker process upserts its row every few seconds; the dashboard counts the fresh ones. */
export const workers = appSchema.table("workers", {
  id: text("id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  stoppedAt: timestamp("stopped_at", { withTimezone: true }),
});

/** Queue round-trips: the web process enqueues a probe, a worker stamps it processed. */
export const queueProbes = appSchema.table("queue_probes", {
  id: uuid("id").primaryKey().defaultRandom(),
  sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp("processed_at", { withTimezone: true }),
  workerId: text("worker_id"),
});
