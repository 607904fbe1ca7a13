CREATE TABLE "relayboard"."model_builds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"model_id" uuid,
	"model_name" text NOT NULL,
	"batch_id" uuid NOT NULL,
	"status" text NOT NULL,
	"compiled_sql" text,
	"rows" bigint,
	"error" jsonb,
	"skipped_because" text,
	"test_results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "relayboard"."model_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"model_id" uuid NOT NULL,
	"revision" integer NOT NULL,
	"sql" text NOT NULL,
	"description" text NOT NULL,
	"materialization" text NOT NULL,
	"unique_key" jsonb NOT NULL,
	"tests" jsonb NOT NULL,
	"column_descriptions" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "relayboard"."models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"sql" text NOT NULL,
	"materialization" text DEFAULT 'view' NOT NULL,
	"unique_key" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"column_descriptions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tests" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "relayboard"."model_builds" ADD CONSTRAINT "model_builds_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "relayboard"."models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."model_revisions" ADD CONSTRAINT "model_revisions_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "relayboard"."models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."model_revisions" ADD CONSTRAINT "model_revisions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "relayboard"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."models" ADD CONSTRAINT "models_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "relayboard"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_builds_model" ON "relayboard"."model_builds" USING btree ("model_name","created_at");--> statement-breakpoint
CREATE INDEX "model_builds_batch" ON "relayboard"."model_builds" USING btree ("batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "model_revisions_number" ON "relayboard"."model_revisions" USING btree ("model_id","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "models_name_unique" ON "relayboard"."models" USING btree ("name");