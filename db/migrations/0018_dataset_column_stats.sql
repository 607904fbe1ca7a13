CREATE TABLE "relayboard"."dataset_column_stats" (
	"version_id" uuid NOT NULL,
	"fingerprint" text NOT NULL,
	"row_count" bigint NOT NULL,
	"columns" jsonb NOT NULL,
	"duration_ms" integer NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dataset_column_stats_version_id_fingerprint_pk" PRIMARY KEY("version_id","fingerprint")
);
--> statement-breakpoint
ALTER TABLE "relayboard"."dataset_column_stats" ADD CONSTRAINT "dataset_column_stats_version_id_dataset_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "relayboard"."dataset_versions"("id") ON DELETE cascade ON UPDATE no action;