-- User SQL (models, previews, data tests) runs on connections that log in as this role: it reads
-- staging, reads and writes warehouse, and reaches nothing else (app tables, secrets, pg-boss).
-- Roles are cluster-wide, so creation tolerates an existing role (another install, a test database).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relayboard_sandbox') THEN
    CREATE ROLE relayboard_sandbox NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;
--> statement-breakpoint
-- The app's own role is a member so that it can drop and replace what the sandbox built (a
-- superuser already may). Provisioning (db/roles.ts) grants it first when it can; a second GRANT
-- would need ADMIN OPTION, which the app's role does not have.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, 'relayboard_sandbox', 'MEMBER') THEN
    EXECUTE format('GRANT relayboard_sandbox TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
REVOKE ALL ON SCHEMA relayboard FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON SCHEMA staging FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON SCHEMA warehouse FROM PUBLIC;
--> statement-breakpoint
GRANT USAGE ON SCHEMA staging TO relayboard_sandbox;
--> statement-breakpoint
GRANT USAGE, CREATE ON SCHEMA warehouse TO relayboard_sandbox;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA staging TO relayboard_sandbox;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA warehouse TO relayboard_sandbox;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA staging GRANT SELECT ON TABLES TO relayboard_sandbox;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA warehouse GRANT SELECT ON TABLES TO relayboard_sandbox;
