CREATE TABLE "relayboard"."dataset_loads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"version_id" uuid,
	"source_key" text,
	"force" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"phase" text,
	"bytes_read" bigint DEFAULT 0 NOT NULL,
	"bytes_total" bigint,
	"rows_loaded" bigint DEFAULT 0 NOT NULL,
	"error" jsonb,
	"skipped_rows" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"timings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requested_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"progress_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "relayboard"."dataset_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"sha256" text NOT NULL,
	"bytes" bigint NOT NULL,
	"storage_key" text NOT NULL,
	"source" text NOT NULL,
	"content_type" text,
	"row_count" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "relayboard"."datasets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"source_type" text NOT NULL,
	"source_url" text,
	"options" jsonb NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"columns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"row_count" bigint,
	"last_loaded_at" timestamp with time zone,
	"current_version_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "datasets_name_format" CHECK ("relayboard"."datasets"."name" ~ '^[a-z][a-z0-9_]*$' and octet_length("relayboard"."datasets"."name") <= 63)
);
--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_loads" ADD CONSTRAINT "dataset_loads_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "relayboard"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_loads" ADD CONSTRAINT "dataset_loads_version_id_dataset_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "relayboard"."dataset_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_loads" ADD CONSTRAINT "dataset_loads_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "relayboard"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_versions" ADD CONSTRAINT "dataset_versions_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "relayboard"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."datasets" ADD CONSTRAINT "datasets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "relayboard"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dataset_loads_dataset" ON "relayboard"."dataset_loads" USING btree ("dataset_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dataset_versions_number" ON "relayboard"."dataset_versions" USING btree ("dataset_id","version");--> statement-breakpoint
CREATE INDEX "dataset_versions_sha" ON "relayboard"."dataset_versions" USING btree ("dataset_id","sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "datasets_name_unique" ON "relayboard"."datasets" USING btree ("name");