CREATE TABLE "relayboard"."deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"delivery_key" text NOT NULL,
	"destination_id" uuid NOT NULL,
	"run_id" uuid,
	"source_key" text,
	"kind" text DEFAULT 'message' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"content_hash" text,
	"payload" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"skip_reason" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "relayboard"."delivery_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"status_code" integer,
	"response" text,
	"error" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "relayboard"."destinations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"webhook_ciphertext" text NOT NULL,
	"webhook_host" text NOT NULL,
	"webhook_last4" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'ok' NOT NULL,
	"attention_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "relayboard"."webhook_slots" (
	"destination_id" uuid PRIMARY KEY NOT NULL,
	"next_allowed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "relayboard"."deliveries" ADD CONSTRAINT "deliveries_destination_id_destinations_id_fk" FOREIGN KEY ("destination_id") REFERENCES "relayboard"."destinations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "relayboard"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."destinations" ADD CONSTRAINT "destinations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "relayboard"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relayboard"."webhook_slots" ADD CONSTRAINT "webhook_slots_destination_id_destinations_id_fk" FOREIGN KEY ("destination_id") REFERENCES "relayboard"."destinations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_key_destination" ON "relayboard"."deliveries" USING btree ("delivery_key","destination_id");--> statement-breakpoint
CREATE INDEX "deliveries_source" ON "relayboard"."deliveries" USING btree ("source_key","created_at");--> statement-breakpoint
CREATE INDEX "delivery_attempts_delivery" ON "relayboard"."delivery_attempts" USING btree ("delivery_id","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "destinations_name_unique" ON "relayboard"."destinations" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "destinations_one_default" ON "relayboard"."destinations" USING btree ("is_default") WHERE "relayboard"."destinations"."is_default";