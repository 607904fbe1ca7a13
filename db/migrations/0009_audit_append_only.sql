-- The audit log is append-only: no code path edits it, and the database refuses to.
CREATE OR REPLACE FUNCTION relayboard.audit_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS audit_events_append_only ON relayboard.audit_events;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON relayboard.audit_events
  FOR EACH ROW EXECUTE FUNCTION relayboard.audit_events_append_only();
