-- login_throttle is created by 0012 (written by hand, so the 0012 snapshot lacked it; this one has it).
ALTER TABLE "relayboard"."dataset_loads" ADD COLUMN "rows_skipped" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_loads" ADD COLUMN "rows_padded" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_loads" ADD COLUMN "warnings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_versions" ADD COLUMN "dialect" jsonb;