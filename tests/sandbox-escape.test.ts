import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { closeDb, getSql } from "@/db";
import { SANDBOX_ROLE } from "@/db/roles";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import { buildModels } from "@/lib/transform/build";
import { saveModel } from "@/lib/transform/models";
import { previewModel } from "@/lib/transform/preview";
import { inSandbox } from "@/lib/transform/sandbox";
import { startCsvHost } from "./helpers/csv-host";

/**
 * Attacks on the model sandbox, as an editor would make them: every technique goes through the
 * real build, preview and data-test paths (where the parser check may refuse it first) and then
 * straight onto the sandbox's own connection, past the parser, to show the wall itself holds.
 * After each: no data of the app's tables reached a result or an error, nothing outside the
 * model's relation changed, and no lock, large object, session or setting was left behind.
 */

let host: Awaited<ReturnType<typeof startCsvHost>>;
let editor: { id: string };
const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
const SECRET_EMAIL = "escape-target@example.com";
let secrets: string[] = [];

/**
 * `ownerLevel`: the sandbox role owns every model's relation, so on its bare connection it could
 * drop or write another model; in the product paths the parser check (one SELECT) and the
 * extended protocol (one statement per message) refuse these. They run through those paths only.
 */
type Technique = { name: string; sql: string; ownerLevel?: boolean };

const techniques: Technique[] = [
  {
    name: "ts_stat running set_config(role)",
    sql: "select * from ts_stat('select to_tsvector(set_config(''role'', ''postgres'', true))')",
  },
  { name: "ts_stat reading relayboard.users", sql: "select * from ts_stat('select to_tsvector(email) from relayboard.users')" },
  {
    name: "ts_rewrite reading relayboard.users",
    sql: "select ts_rewrite('a'::tsquery, 'select ''a''::tsquery, plainto_tsquery(email) from relayboard.users') as q",
  },
  {
    name: "query_to_xml over relayboard.users",
    sql: "select query_to_xml('select email, password_hash from relayboard.users', true, false, '') as x",
  },
  {
    name: "query_to_xml running set_config(role)",
    sql: "select query_to_xml('select set_config(''role'', ''postgres'', false) as r', true, false, '') as x, current_user as u",
  },
  { name: "cursor_to_xml", sql: "select cursor_to_xml('c'::refcursor, 10, true, false, '') as x" },
  { name: "table_to_xml(relayboard.users)", sql: "select table_to_xml('relayboard.users'::regclass, true, false, '') as x" },
  { name: "database_to_xml", sql: "select database_to_xml(true, false, '') as x" },
  {
    name: "xpath over query_to_xml",
    sql: "select xpath('//email/text()', query_to_xml('select email from relayboard.users', true, false, '')) as x",
  },
  { name: "set_config(role)", sql: "select set_config('role', 'postgres', false) as r, current_user as u" },
  { name: "set_config(statement_timeout)", sql: "select set_config('statement_timeout', '0', false) as r" },
  { name: "SET ROLE", sql: "set role postgres" },
  { name: "RESET ROLE", sql: "reset role" },
  { name: "SET SESSION AUTHORIZATION", sql: "set session authorization postgres" },
  { name: "DO block", sql: "do $$ begin perform 1; end $$" },
  { name: "CREATE FUNCTION", sql: "create function warehouse.rb_evil() returns int language sql as 'select 1'" },
  { name: "CREATE PROCEDURE", sql: "create procedure warehouse.rb_evil_p() language sql as 'select 1'" },
  { name: "COPY TO PROGRAM", sql: "copy (select 1) to program 'id'" },
  { name: "COPY FROM PROGRAM", sql: "copy warehouse.victim from program 'echo 1'" },
  { name: "pg_read_file", sql: "select pg_read_file('/etc/passwd') as x" },
  { name: "pg_read_binary_file", sql: "select pg_read_binary_file('/etc/passwd') as x" },
  { name: "pg_ls_dir", sql: "select pg_ls_dir('.') as x" },
  { name: "pg_stat_file", sql: "select (pg_stat_file('/etc/passwd')).size as x" },
  { name: "lo_import", sql: "select lo_import('/etc/passwd') as x" },
  { name: "lo_export", sql: "select lo_export(1, '/tmp/rb-escape') as x" },
  { name: "lo_from_bytea", sql: "select lo_from_bytea(0, 'kept'::bytea) as x" },
  { name: "pg_advisory_lock", sql: "select pg_advisory_lock(42) as x" },
  { name: "pg_try_advisory_lock", sql: "select pg_try_advisory_lock(42) as x" },
  { name: "pg_advisory_xact_lock", sql: "select pg_advisory_xact_lock(42) as x" },
  { name: "pg_notify", sql: "select pg_notify('relayboard_jobs', 'x') as x" },
  { name: "dblink", sql: "select dblink_connect('host=127.0.0.1 dbname=postgres') as x" },
  { name: "pg_terminate_backend", sql: "select pg_terminate_backend(pid) as x from pg_stat_activity where pid <> pg_backend_pid()" },
  { name: "pg_cancel_backend", sql: "select pg_cancel_backend(pid) as x from pg_stat_activity where pid <> pg_backend_pid()" },
  { name: "pg_sleep", sql: "select pg_sleep(30) as x" },
  { name: "read relayboard.users", sql: "select email, password_hash from relayboard.users" },
  { name: "read relayboard.api_tokens", sql: "select * from relayboard.api_tokens" },
  { name: "read pgboss.job", sql: "select * from pgboss.job" },
  { name: "read pg_authid", sql: "select rolname, rolpassword from pg_authid" },
  { name: "read pg_shadow", sql: "select usename, passwd from pg_shadow" },
  { name: "write staging", sql: "insert into staging.esc_data (id, label) values ('9', 'x')" },
  { name: "delete staging", sql: "delete from staging.esc_data" },
  { name: "drop another model", sql: "drop table warehouse.victim", ownerLevel: true },
  { name: "update another model", sql: "update warehouse.victim set v = 0", ownerLevel: true },
  {
    name: "data-modifying CTE on another model",
    sql: "with d as (delete from warehouse.victim returning *) select * from d",
    ownerLevel: true,
  },
  { name: "two statements", sql: "select 1 as x; drop table warehouse.victim", ownerLevel: true },
  { name: "temp table", sql: "create temp table rb_left_behind as select 1 as x" },
  { name: "prepared statement", sql: "prepare rb_left_behind as select 1" },
  { name: "session setting", sql: "set statement_timeout = 0" },
  { name: "a model that runs forever", sql: "select count(*) as n from generate_series(1, 100000000000::bigint)" },
];

async function fingerprint() {
  const sql = getSql();
  const [staging] = await sql`select md5(string_agg(t::text, '|' order by t::text)) as h from staging.esc_data t`;
  const [victim] = await sql`select md5(string_agg(t::text, '|' order by t::text)) as h from warehouse.victim t`;
  const [users] =
    await sql`select md5(string_agg(u.email || u.password_hash || u.role, '|' order by u.email)) as h from relayboard.users u`;
  const relations = await sql`select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('staging', 'warehouse', 'relayboard', 'public') and c.relname not like 'esc\\_m%' and c.relname not like '\\_rb\\_build\\_esc%' order by 1`;
  const functions =
    await sql`select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('warehouse', 'staging', 'public')`;
  const [role] = await sql`select rolsuper, rolcreaterole, rolinherit,
    (select count(*) from pg_auth_members m where m.member = r.oid)::int as memberships,
    coalesce((select setconfig::text from pg_db_role_setting s where s.setrole = r.oid and s.setdatabase = 0), '') as settings
    from pg_roles r where rolname = ${SANDBOX_ROLE}`;
  return { staging: staging!.h, victim: victim!.h, users: users!.h, relations, functions: functions[0]!.n, role };
}

/** Nothing the sandbox did may outlive its use: locks, large objects, sessions. */
async function leftovers() {
  const sql = getSql();
  // Scoped to the sandbox's own sessions and this database: other databases on the same server
  // (and pg-boss here) take advisory locks of their own.
  const [row] = await sql`select
    (select count(*)::int from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and a.usename = ${SANDBOX_ROLE}) as advisory_locks,
    (select count(*)::int from pg_largeobject_metadata) as large_objects,
    (select count(*)::int from pg_stat_activity where usename = ${SANDBOX_ROLE} and datname = current_database()) as sandbox_sessions`;
  return row;
}

async function settle() {
  // A closed connection's backend may take a moment to go away.
  for (let i = 0; i < 40; i++) {
    const left = await leftovers();
    if (left!.sandbox_sessions === 0) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
  return leftovers();
}

function expectNoSecret(label: string, value: unknown) {
  const text = JSON.stringify(value ?? null);
  for (const secret of secrets) expect(text, `${label} leaked ${secret.slice(0, 12)}…`).not.toContain(secret);
  expect(text, `${label} ran as a superuser`).not.toMatch(/"(postgres|relayboard_app)"/);
}

let baseline: Awaited<ReturnType<typeof fingerprint>>;

beforeAll(async () => {
  // Every build, preview and test of this file gets a short statement timeout.
  process.env.MODEL_STATEMENT_TIMEOUT_SECONDS = "2";
  host = await startCsvHost();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port}`;
  resetEnvForTests();
  editor = await createUser({ email: SECRET_EMAIL, password: "escape target pw", role: "editor" });
  host.files.set("/esc_data.csv", { body: "id,label\n1,one\n2,two\n" });
  const { load } = await registerUrlDataset({ name: "esc_data", csvUrl: host.url("/esc_data.csv") }, editor);
  await runDatasetLoad(load.id, ctx);
  await saveModel({ name: "victim", materialization: "table", sql: "select 1 as v" }, editor);
  const { builds } = await buildModels({ names: ["victim"] });
  expect(builds[0]!.status).toBe("succeeded");
  const [user] = await getSql()`select password_hash from relayboard.users where email = ${SECRET_EMAIL}`;
  secrets = [SECRET_EMAIL, String(user!.password_hash).slice(0, 40), "root:x:0:0", "/bin/bash"];
  baseline = await fingerprint();
});

afterAll(async () => {
  delete process.env.MODEL_STATEMENT_TIMEOUT_SECONDS;
  resetEnvForTests();
  await host.close();
  await closeDb();
});

describe("the sandbox's login", () => {
  it("is the sandbox role itself, not a superuser, a member of nothing", async () => {
    const [who] = await inSandbox((tx) => tx`select current_user as u, session_user as s, current_setting('is_superuser') as su`);
    expect(who).toEqual({ u: SANDBOX_ROLE, s: SANDBOX_ROLE, su: "off" });
    const [role] =
      await getSql()`select count(*)::int as n from pg_auth_members m join pg_roles r on r.oid = m.member where r.rolname = ${SANDBOX_ROLE}`;
    expect(role!.n).toBe(0);
  });
});

describe.each(techniques.map((t, i) => ({ ...t, i })))("escape technique $i: $name", ({ name, sql, i }) => {
  const modelName = `esc_m${i}`;

  it("is refused or harmless through build, preview and data test", async () => {
    const outcomes: unknown[] = [];
    // Build: saving may already refuse it (the parser check); else the build runs it.
    const saved = await saveModel({ name: modelName, materialization: "table", sql }, editor).catch((e: Error) => e);
    outcomes.push(saved instanceof Error ? saved.message : "saved");
    if (!(saved instanceof Error)) {
      const { builds } = await buildModels({ names: [modelName] });
      outcomes.push(builds[0]!.error, builds[0]!.status);
      if (builds[0]!.status === "succeeded") {
        outcomes.push(await inSandbox((tx) => tx.unsafe(`select * from warehouse.${modelName}`), { readOnly: true }));
      }
    }
    // Preview.
    outcomes.push(await previewModel(`${modelName}_p`, sql).catch((e: Error) => e.message));
    // Data test: the technique as a custom test of a harmless model.
    const host = await saveModel(
      { name: `${modelName}_t`, sql: "select 1 as x", tests: [{ type: "custom_sql", name: "attack", sql }] },
      editor,
    ).catch((e: Error) => e);
    if (!(host instanceof Error)) {
      const { builds } = await buildModels({ names: [`${modelName}_t`] });
      outcomes.push(builds[0]!.error, builds[0]!.testResults);
    } else outcomes.push(host.message);

    expectNoSecret(name, outcomes);
    expect(await fingerprint(), name).toEqual(baseline);
    expect(await settle(), name).toEqual({ advisory_locks: 0, large_objects: 0, sandbox_sessions: 0 });
  });

  it.skipIf(Boolean(techniques[i]!.ownerLevel))(
    "is refused or harmless on the sandbox's connection itself, past the parser check",
    async () => {
      const result = await inSandbox((tx) => tx.unsafe(sql)).then(
        (rows) => ({ rows }),
        (err: Error & { code?: string }) => ({ code: err.code, message: err.message }),
      );
      expectNoSecret(name, result);
      expect(await fingerprint(), name).toEqual(baseline);
      // The next use starts clean: no temp table, prepared statement, setting or role carried over.
      const next = await inSandbox((tx) =>
        tx.unsafe(`select current_user as u, current_setting('statement_timeout') as timeout,
        (select count(*)::int from pg_prepared_statements) as prepared,
        (select count(*)::int from pg_class where relpersistence = 't') as temp_relations`),
      );
      expect(next[0], name).toEqual({ u: SANDBOX_ROLE, timeout: "2s", prepared: 0, temp_relations: 0 });
      expect(await settle(), name).toEqual({ advisory_locks: 0, large_objects: 0, sandbox_sessions: 0 });
    },
  );
});

describe("a model that runs forever", () => {
  it("is cancelled at the timeout and says so, and other builds still run meanwhile", async () => {
    await saveModel({ name: "esc_forever", sql: "select count(*) as n from generate_series(1, 100000000000::bigint)" }, editor);
    await saveModel({ name: "esc_quick", sql: "select 1 as x" }, editor);
    const started = Date.now();
    const [slow, quick] = await Promise.all([buildModels({ names: ["esc_forever"] }), buildModels({ names: ["esc_quick"] })]);
    expect(slow.builds[0]).toMatchObject({ status: "failed", error: { message: expect.stringMatching(/timeout/) } });
    expect(quick.builds[0]!.status).toBe("succeeded");
    expect(quick.builds[0]!.finishedAt!.getTime()).toBeLessThan(slow.builds[0]!.finishedAt!.getTime());
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
