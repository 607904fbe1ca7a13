CREATE TABLE "relayboard"."pipelines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"dataset_id" uuid NOT NULL,
	"models" jsonb,
	"deliveries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failure_alert_destination_id" uuid,
	"stop_on_test_failure" boolean DEFAULT false NOT NULL,
	"schedule_cron" text,
	"schedule_timezone" text DEFAULT 'UTC' NOT NULL,
	"next_run_at" timestamp with time zone,
	"paused" boolean DEFAULT false NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "relayboard"."run_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"worker_id" text,
	"heartbeat_at" timestamp with time zone,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" jsonb,
	"log" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" jsonb,
	"skip_reason" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "relayboard"."runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" uuid,
	"status" text DEFAULT 'queued' NOT NULL,
	"force" boolean DEFAULT false NOT NULL,
	"load_id" uuid,
	"dataset_version_id" uuid,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "relayboard"."pipelines" ADD CONSTRAINT "pipelines_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "relayboard"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."pipelines" ADD CONSTRAINT "pipelines_failure_alert_destination_id_destinations_id_fk" FOREIGN KEY ("failure_alert_destination_id") REFERENCES "relayboard"."destinations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."pipelines" ADD CONSTRAINT "pipelines_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "relayboard"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."run_steps" ADD CONSTRAINT "run_steps_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "relayboard"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."runs" ADD CONSTRAINT "runs_pipeline_id_pipelines_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "relayboard"."pipelines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."runs" ADD CONSTRAINT "runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "relayboard"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."runs" ADD CONSTRAINT "runs_load_id_dataset_loads_id_fk" FOREIGN KEY ("load_id") REFERENCES "relayboard"."dataset_loads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."runs" ADD CONSTRAINT "runs_dataset_version_id_dataset_versions_id_fk" FOREIGN KEY ("dataset_version_id") REFERENCES "relayboard"."dataset_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pipelines_name_unique" ON "relayboard"."pipelines" USING btree ("name");--> statement-breakpoint
CREATE INDEX "pipelines_next_run" ON "relayboard"."pipelines" USING btree ("next_run_at");--> statement-breakpoint
CREATE UNIQUE INDEX "run_steps_run_name" ON "relayboard"."run_steps" USING btree ("run_id","name");--> statement-breakpoint
CREATE INDEX "run_steps_heartbeat" ON "relayboard"."run_steps" USING btree ("status","heartbeat_at");--> statement-breakpoint
CREATE INDEX "runs_pipeline" ON "relayboard"."runs" USING btree ("pipeline_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_status" ON "relayboard"."runs" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_running" ON "relayboard"."runs" USING btree ("pipeline_id") WHERE "relayboard"."runs"."status" = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_queued" ON "relayboard"."runs" USING btree ("pipeline_id") WHERE "relayboard"."runs"."status" = 'queued';