CREATE TABLE "relayboard"."delivery_digests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"delivery_index" integer NOT NULL,
	"run_id" uuid NOT NULL,
	"digest_key" text NOT NULL,
	"status" text DEFAULT 'prepared' NOT NULL,
	"baseline" boolean DEFAULT false NOT NULL,
	"counts" jsonb NOT NULL,
	"payloads" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "relayboard"."delivery_digests" ADD CONSTRAINT "delivery_digests_pipeline_id_pipelines_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "relayboard"."pipelines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."delivery_digests" ADD CONSTRAINT "delivery_digests_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "relayboard"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "delivery_digests_run" ON "relayboard"."delivery_digests" USING btree ("run_id","delivery_index");--> statement-breakpoint
CREATE INDEX "delivery_digests_pipeline" ON "relayboard"."delivery_digests" USING btree ("pipeline_id","delivery_index","created_at");