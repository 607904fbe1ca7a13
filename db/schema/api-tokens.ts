import { index, integer, text, timestamp, uniqueIndex, uuid, primaryKey } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";
import { roles, users } from "./users";

/** Personal API tokens: only a SHA-256 of the secret is kept; the prefix helps people tell them apart. */
export const apiTokens = appSchema.table(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    displayPrefix: text("display_prefix").notNull(),
    role: text("role", { enum: roles }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("api_tokens_hash").on(t.tokenHash), index("api_tokens_user").on(t.userId)],
);

/** Requests per token per minute, counted in Postgres so the limit holds across web processes. */
export const apiRateWindows = appSchema.table(
  "api_rate_windows",
  {
    tokenId: uuid("token_id")
      .notNull()
      .references(() => apiTokens.id, { onDelete: "cascade" }),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.windowStart] })],
);

export type ApiToken = typeof apiTokens.$inferSelect;
