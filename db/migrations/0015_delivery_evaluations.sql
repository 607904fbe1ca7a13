CREATE TABLE "relayboard"."delivery_evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"delivery_index" integer NOT NULL,
	"run_id" uuid NOT NULL,
	"condition_key" text NOT NULL,
	"holds" boolean NOT NULL,
	"told" boolean NOT NULL,
	"value" double precision,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "relayboard"."delivery_evaluations" ADD CONSTRAINT "delivery_evaluations_pipeline_id_pipelines_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "relayboard"."pipelines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."delivery_evaluations" ADD CONSTRAINT "delivery_evaluations_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "relayboard"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "delivery_evaluations_run" ON "relayboard"."delivery_evaluations" USING btree ("run_id","delivery_index");--> statement-breakpoint
CREATE INDEX "delivery_evaluations_pipeline" ON "relayboard"."delivery_evaluations" USING btree ("pipeline_id","delivery_index","condition_key","created_at");