import { bigserial, index, jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";

/** Who did what, when. Append-only: a trigger refuses updates and deletes. */
export const auditEvents = appSchema.table(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid("actor_id"),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    targetName: text("target_name"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    ip: text("ip"),
  },
  (t) => [
    index("audit_events_at").on(t.at),
    index("audit_events_action").on(t.action, t.at),
    index("audit_events_actor").on(t.actorEmail, t.at),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
