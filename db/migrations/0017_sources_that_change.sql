ALTER TABLE "relayboard"."dataset_versions" ADD COLUMN "columns" jsonb;--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_versions" ADD COLUMN "schema_changes" jsonb;--> statement-breakpoint
ALTER TABLE "relayboard"."datasets" ADD COLUMN "schema_policy" text DEFAULT 'evolve' NOT NULL;--> statement-breakpoint
ALTER TABLE "relayboard"."datasets" ADD COLUMN "type_locks" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "relayboard"."datasets" ADD COLUMN "freshness" jsonb;--> statement-breakpoint
ALTER TABLE "relayboard"."datasets" ADD COLUMN "freshness_state" text;--> statement-breakpoint
ALTER TABLE "relayboard"."datasets" ADD COLUMN "freshness_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "relayboard"."datasets" ADD COLUMN "source_validators" jsonb;--> statement-breakpoint
ALTER TABLE "relayboard"."model_revisions" ADD COLUMN "snapshot" jsonb;--> statement-breakpoint
ALTER TABLE "relayboard"."models" ADD COLUMN "snapshot" jsonb;