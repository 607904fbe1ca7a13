import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { getSql } from "@/db";
import { SANDBOX_ROLE } from "@/db/roles";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { UserError } from "@/lib/errors";
import { registerUrlDataset } from "@/lib/ingest/register";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import { compileAndCheck, saveModel } from "@/lib/transform/models";
import { previewModel, type PositionedError } from "@/lib/transform/preview";
import { inSandbox } from "@/lib/transform/sandbox";
import { startCsvHost } from "./helpers/csv-host";

/**
 * Compile asks the database (on the sandbox's login) to resolve every name the model uses, and
 * reports a wrong column at its place in the user's own text; the query itself never runs.
 */

let host: Awaited<ReturnType<typeof startCsvHost>>;
const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };

async function compileError(sql: string): Promise<UserError> {
  const err = await compileAndCheck("cc_report", sql).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

beforeAll(async () => {
  host = await startCsvHost();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port}`;
  resetEnvForTests();
  const actor = await createUser({ email: "checker@example.com", password: "long enough pw", role: "editor" });
  host.files.set("/cc_orders.csv", { body: "id,customer,amount\n1,ann,10.5\n2,bob,20\n" });
  const { load } = await registerUrlDataset({ name: "cc_orders", csvUrl: host.url("/cc_orders.csv") }, actor);
  await runDatasetLoad(load.id, ctx);
  // Saved but never built: its relation does not exist yet.
  await saveModel({ name: "cc_unbuilt", sql: "select 1 as x" }, actor);

  // Functions that would show whether the query (or the planner's constant folding) ever ran:
  // one that sleeps (declared immutable, so a planner would evaluate it early) and one that writes.
  const sql = getSql();
  await sql.unsafe(`
    create table warehouse.cc_log (n int);
    grant insert, select on warehouse.cc_log to ${SANDBOX_ROLE};
    create function warehouse.cc_slow() returns int language plpgsql immutable as $$ begin perform pg_sleep(3); return 1; end $$;
    create function warehouse.cc_touch() returns int language plpgsql volatile as $$ begin insert into warehouse.cc_log values (1); return 1; end $$;
  `);
});

afterAll(async () => {
  await host.close();
});

describe("compile checks column names against the catalog", () => {
  it("resolves a good query's output columns", async () => {
    const out = await compileAndCheck("cc_report", "select id, customer as who\nfrom {{ ref('cc_orders') }}");
    expect(out.columns).toEqual(["id", "who"]);
    expect(out.unchecked).toBeNull();
  });

  it("names a column that does not exist, at its line and column in the user's text", async () => {
    const err = await compileError("select id,\n  custmer\nfrom {{ ref('cc_orders') }}");
    expect(err.message).toMatch(/column "custmer" does not exist/);
    expect(err.message).toMatch(/\(line 2, column 3\)$/);
    expect(err.fieldErrors?.sql?.[0]).toBe(err.message);
  });

  it("maps a position after a ref back through the template", async () => {
    // {{ ref('cc_orders') }} is 22 characters in the source and 21 compiled: the column must still be right.
    const err = await compileError("select *\nfrom {{ ref('cc_orders') }} o\nwhere o.amout > 1");
    expect(err.message).toMatch(/column o\.amout does not exist.*\(line 3, column 7\)$/);
  });

  it("checks every kind of reference: joins, subqueries, a raw source's columns", async () => {
    expect(
      (await compileError("select o.id from {{ ref('cc_orders') }} o join {{ source('cc_orders') }} s on s.idd = o.id")).message,
    ).toMatch(/s\.idd/);
    expect((await compileError("select (select max(amont) from {{ ref('cc_orders') }}) as m")).message).toMatch(/"amont"/);
    expect(
      (await compileError("select id from {{ ref('cc_orders') }} where id in (select nope from {{ ref('cc_orders') }})")).message,
    ).toMatch(/"nope"/);
  });

  it("says a ref that is not built yet could not be checked, instead of failing", async () => {
    const out = await compileAndCheck("cc_report", "select whatever from {{ ref('cc_unbuilt') }}");
    expect(out.unchecked).toBe("cc_unbuilt");
    expect(out.columns).toEqual([]);
  });

  it("never runs the query: no sleep, no write", async () => {
    const started = Date.now();
    const out = await compileAndCheck("cc_report", "select warehouse.cc_slow() as slow, warehouse.cc_touch() as touched, pg_sleep(3) as s");
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(out.columns).toEqual(["slow", "touched", "s"]);
    const [{ n }] = await getSql()`select count(*)::int as n from warehouse.cc_log`;
    expect(n).toBe(0);
    // The control: the functions do what the check above relies on when the query does run.
    await inSandbox((tx) => tx.unsafe("select warehouse.cc_touch()"));
    const [{ n: after }] = await getSql()`select count(*)::int as n from warehouse.cc_log`;
    expect(after).toBe(1);
  });

  it("a preview's database error points into the user's text too", async () => {
    const err = (await previewModel("cc_report", "select id,\n  custmer\nfrom {{ ref('cc_orders') }}").catch(
      (e: unknown) => e,
    )) as PositionedError;
    expect(err.message).toMatch(/custmer/);
    expect(err.sourcePosition).toEqual({ line: 2, column: 3 });
  });

  it("runs on the sandbox's login, not the app's", async () => {
    // The sandbox cannot read the app's tables; the app's login can. A compile names the refusal.
    const err = await compileError("select email from relayboard.users");
    expect(err.message).toMatch(/[Pp]ermission denied/);
  });
});
