-- Failed sign-ins per limit key ("email:…", "ip:…"): the times of the failures still inside the
-- window. One row per key, so one upsert checks and records an attempt atomically under its row lock.
CREATE TABLE "relayboard"."login_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" timestamp with time zone[] DEFAULT '{}' NOT NULL
);
