import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, text, timestamp, uuid, check } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";

export const roles = ["viewer", "editor", "admin"] as const;
export type Role = (typeof roles)[number];

export const users = appSchema.table(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull().unique(),
    name: text("name"),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: roles }).notNull(),
    active: boolean("active").notNull().default(true),
    /** Bumped on deactivation, role or password change: sessions carrying an older value end. */
    sessionVersion: integer("session_version").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("users_role_check", sql`${t.role} in ('viewer', 'editor', 'admin')`),
    check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
  ],
);

export const loginAttempts = appSchema.table(
  "login_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    succeeded: boolean("succeeded").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("login_attempts_email_idx").on(t.email, t.attemptedAt), index("login_attempts_ip_idx").on(t.ip, t.attemptedAt)],
);

/**
 * Failed sign-ins still inside the window, one row per limit key ("email:…", "ip:…"). A row lock
 * makes checking and recording one step: parallel attempts cannot all see room for one more.
 */
export const loginThrottle = appSchema.table("login_throttle", {
  key: text("key").primaryKey(),
  failures: timestamp("failures", { withTimezone: true })
    .array()
    .notNull()
    .default(sql`'{}'`),
});

export type User = typeof users.$inferSelect;
