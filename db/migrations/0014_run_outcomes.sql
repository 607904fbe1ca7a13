ALTER TABLE "relayboard"."runs" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "relayboard"."runs" ADD COLUMN "warnings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
-- Finished runs get the outcome they had; a success whose steps recorded warnings (skipped or
-- padded rows) is the success with warnings it always was.
UPDATE "relayboard"."runs" r SET
  "warnings" = coalesce((
    SELECT jsonb_agg(w.value ORDER BY s.position, w.ord)
    FROM "relayboard"."run_steps" s, jsonb_array_elements(s.counts->'warnings') WITH ORDINALITY AS w(value, ord)
    WHERE s.run_id = r.id AND jsonb_typeof(s.counts->'warnings') = 'array'
  ), '[]'::jsonb)
WHERE r.status IN ('succeeded', 'failed', 'cancelled');--> statement-breakpoint
-- A success whose data tests failed (they did not block delivery then) needed a look too.
UPDATE "relayboard"."runs" r SET "warnings" = r."warnings" || jsonb_build_array(
  format('%s data test(s) failed (recorded before run outcomes existed)', s.counts->>'testsFailed'))
FROM "relayboard"."run_steps" s
WHERE s.run_id = r.id AND s.name = 'test' AND r.status = 'succeeded'
  AND jsonb_typeof(s.counts->'testsFailed') = 'number' AND (s.counts->>'testsFailed')::numeric > 0;--> statement-breakpoint
UPDATE "relayboard"."runs" SET "outcome" = CASE
  WHEN "status" = 'succeeded' AND jsonb_array_length("warnings") > 0 THEN 'succeeded_with_warnings'
  ELSE "status" END
WHERE "status" IN ('succeeded', 'failed', 'cancelled');--> statement-breakpoint
-- Tests saved before severities existed never stopped a delivery (unless their pipeline said so):
-- they keep that as `warn`. New tests are `error` by default, as in dbt.
UPDATE "relayboard"."models" SET "tests" = (
  SELECT jsonb_agg(CASE WHEN t ? 'severity' THEN t ELSE t || '{"severity":"warn"}'::jsonb END ORDER BY ord)
  FROM jsonb_array_elements("tests") WITH ORDINALITY AS x(t, ord)
) WHERE jsonb_array_length("tests") > 0;--> statement-breakpoint
UPDATE "relayboard"."model_revisions" SET "tests" = (
  SELECT jsonb_agg(CASE WHEN t ? 'severity' THEN t ELSE t || '{"severity":"warn"}'::jsonb END ORDER BY ord)
  FROM jsonb_array_elements("tests") WITH ORDINALITY AS x(t, ord)
) WHERE jsonb_array_length("tests") > 0;
