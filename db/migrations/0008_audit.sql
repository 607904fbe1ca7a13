CREATE TABLE "relayboard"."audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"actor_email" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"target_name" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip" text
);
--> statement-breakpoint
CREATE INDEX "audit_events_at" ON "relayboard"."audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_action" ON "relayboard"."audit_events" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "audit_events_actor" ON "relayboard"."audit_events" USING btree ("actor_email","at");