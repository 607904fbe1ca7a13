-- User data lives apart from the app tables: raw loads in staging, model output in warehouse.
CREATE SCHEMA IF NOT EXISTS "staging";
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS "warehouse";
