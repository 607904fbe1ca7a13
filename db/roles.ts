import crypto from "node:crypto";
import type { Sql } from "postgres";

/**
 * Least privilege for every connection (docs/security.md):
 * - APP_ROLE owns Relayboard's schemas and runs the web, the worker and the CLI. Not a superuser.
 * - SANDBOX_ROLE is the login role of the separate connection that runs user SQL (builds,
 *   previews, data tests). It is a member of no role, so `SET ROLE`, `RESET ROLE` and
 *   `set_config('role', …)` can reach nothing; it reads staging and warehouse and creates in
 *   warehouse only. The wall is this role, not the parser check in front of it.
 * - A superuser (the embedded server's bootstrap user, or ADMIN_DATABASE_URL) is used only here, to
 *   create the roles and revoke the server functions with side effects from PUBLIC.
 */
export const APP_ROLE = "relayboard_app";
export const SANDBOX_ROLE = "relayboard_sandbox";

/**
 * Server functions that have side effects or reach outside the sandbox's own transaction.
 * pg_sleep stays: it holds nothing but its own build slot, which the statement timeout bounds.
 */
const REVOKED_FUNCTION_PATTERNS = [
  "lo\\_%", // large objects outlive the session that made them
  "loread",
  "lowrite",
  "pg\\_%advisory%", // session and transaction advisory locks
  "pg_notify",
  "set_config", // could change the session's role or timeouts from inside a SELECT
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_read_file",
  "pg_read_binary_file",
  "pg_ls\\_%",
  "pg_stat_file",
  "pg_file\\_%",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_promote",
  "dblink%",
  "postgres_fdw%",
];

/** Role settings that bound what one session of the sandbox can hold or spend. */
export function sandboxRoleSettings(statementTimeoutMs: number): Record<string, string> {
  return {
    statement_timeout: `${Math.max(1, Math.floor(statementTimeoutMs))}ms`,
    lock_timeout: "10s",
    idle_in_transaction_session_timeout: "60s",
    temp_file_limit: "2GB",
    search_path: "pg_catalog, warehouse",
  };
}

/** The sandbox's password, derived so that every process holding the app's credentials agrees on it. */
export function deriveSandboxPassword(secret: string): string {
  return crypto.createHmac("sha256", secret).update("relayboard sandbox role password v1").digest("base64url");
}

/**
 * A SCRAM-SHA-256 verifier (RFC 5802/7677), as PostgreSQL stores it: the clear password never
 * reaches the server, so it cannot show up in a server log of ALTER ROLE statements.
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = crypto.createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = crypto.createHash("sha256").update(clientKey).digest();
  const serverKey = crypto.createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

export type ConnectionRole = { name: string; superuser: boolean; createRole: boolean; database: string };

export async function describeConnectionRole(sql: Sql): Promise<ConnectionRole> {
  const [row] = await sql<{ name: string; superuser: boolean; createrole: boolean; database: string }[]>`
    select r.rolname as name, r.rolsuper as superuser, r.rolcreaterole as createrole, current_database() as database
    from pg_roles r where r.rolname = current_user`;
  return { name: row!.name, superuser: row!.superuser, createRole: row!.createrole, database: row!.database };
}

export type ProvisionOptions = {
  /** The role the app logs in as; created (with appPassword) when missing and not the admin itself. */
  appRole: string;
  appPassword?: string;
  sandboxPassword: string;
  statementTimeoutMs: number;
};

/** Runs one statement, tolerating a refusal the caller can live with (reported back). */
async function attempt(sql: Sql, statement: string, skipped: string[], what: string): Promise<void> {
  try {
    await sql.unsafe(statement);
  } catch (err) {
    skipped.push(`${what}: ${(err as Error).message}`);
  }
}

/**
 * Creates or repairs the roles and the database-level walls, connected to the app's database as
 * `admin` (a superuser, or a role with CREATEROLE for the parts it may do). Idempotent: every
 * start runs it. Returns what could not be done, for a loud warning.
 */
export async function provisionRoles(admin: Sql, opts: ProvisionOptions): Promise<{ skipped: string[] }> {
  // Roles are cluster-wide and advisory locks are per database: processes provisioning other
  // databases on the same server at the same moment can collide on the same catalog rows.
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionOnce(admin, opts);
    } catch (err) {
      const { code, message } = err as { code?: string; message?: string };
      const collided = (code === "XX000" && /concurrently/.test(message ?? "")) || code === "23505" || code === "40P01";
      if (!collided || attempt >= 6) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
  }
}

async function provisionOnce(admin: Sql, opts: ProvisionOptions): Promise<{ skipped: string[] }> {
  const me = await describeConnectionRole(admin);
  const skipped: string[] = [];
  const app = opts.appRole;
  const appIsAdmin = app === me.name;

  // Roles are cluster-wide: another database on the server may have made them already.
  await admin.unsafe(`do $$ begin
    if not exists (select 1 from pg_roles where rolname = ${literal(SANDBOX_ROLE)}) then create role ${ident(SANDBOX_ROLE)}; end if;
  exception when duplicate_object or unique_violation then null; end $$`);
  await admin.unsafe(
    `alter role ${ident(SANDBOX_ROLE)} with login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls connection limit 64 password ${literal(scramVerifier(opts.sandboxPassword))}`,
  );
  // A member of no role: SET ROLE and set_config('role', …) then reach nothing but itself.
  await admin.unsafe(`do $$ declare r record; begin
    for r in select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid
      where m.member = (select oid from pg_roles where rolname = ${literal(SANDBOX_ROLE)}) loop
      execute format('revoke %I from %I', r.rolname, ${literal(SANDBOX_ROLE)});
    end loop; end $$`);
  for (const [name, value] of Object.entries(sandboxRoleSettings(opts.statementTimeoutMs))) {
    // search_path is a list: each name its own identifier, not one quoted string.
    const sqlValue =
      name === "search_path"
        ? value
            .split(",")
            .map((v) => ident(v.trim()))
            .join(", ")
        : literal(value);
    await attempt(admin, `alter role ${ident(SANDBOX_ROLE)} set ${name} = ${sqlValue}`, skipped, `sandbox role ${name}`);
  }

  if (!appIsAdmin) {
    if (opts.appPassword !== undefined) {
      await admin.unsafe(`do $$ begin
        if not exists (select 1 from pg_roles where rolname = ${literal(app)}) then create role ${ident(app)}; end if;
      exception when duplicate_object or unique_violation then null; end $$`);
      const [appRow] = await admin`select rolsuper from pg_roles where rolname = ${app}`;
      if (!appRow?.rolsuper) {
        await admin.unsafe(
          `alter role ${ident(app)} with login nocreatedb nocreaterole nobypassrls password ${literal(scramVerifier(opts.appPassword))}`,
        );
      }
    }
    // The app drops and replaces the relations the sandbox built (deleted models, replaced datasets).
    await attempt(admin, `grant ${ident(SANDBOX_ROLE)} to ${ident(app)}`, skipped, "sandbox membership for the app role");
    if (me.superuser) {
      await admin.unsafe(`alter database ${ident(me.database)} owner to ${ident(app)}`);
      await transferOwnership(admin, app);
    }
  }

  if (me.superuser || !appIsAdmin) {
    await attempt(admin, `revoke all on database ${ident(me.database)} from public`, skipped, "database privileges");
    await attempt(admin, `grant connect, temporary on database ${ident(me.database)} to ${ident(app)}`, skipped, "database privileges");
    await attempt(admin, `grant connect on database ${ident(me.database)} to ${ident(SANDBOX_ROLE)}`, skipped, "database privileges");
  }

  if (me.superuser) {
    await admin.unsafe(`revoke all on schema public from public`);
    await admin.unsafe(`grant usage, create on schema public to ${ident(app)}`);
    await revokeSideEffectFunctions(admin, app);
    await installSandboxDdlGuard(admin);
  } else {
    skipped.push(
      "revoking server functions with side effects (set_config, large objects, advisory locks, pg_notify, …) from PUBLIC needs a superuser: set ADMIN_DATABASE_URL once or run the SQL in docs/security.md",
    );
  }
  return { skipped };
}

/** Objects made by an earlier version that ran as the superuser move to the app role. */
async function transferOwnership(admin: Sql, app: string): Promise<void> {
  await admin.unsafe(`do $$
  declare r record; app text := ${literal(app)}; sandbox text := ${literal(SANDBOX_ROLE)};
  begin
    for r in select n.nspname from pg_namespace n
      where n.nspname in ('relayboard', 'staging', 'warehouse', 'pgboss') and pg_get_userbyid(n.nspowner) <> app loop
      execute format('alter schema %I owner to %I', r.nspname, app);
    end loop;
    for r in select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('relayboard', 'staging', 'warehouse', 'pgboss') and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
        and pg_get_userbyid(c.relowner) not in (app, sandbox)
        -- a serial or identity column's sequence follows its table's owner and cannot be moved alone
        and (c.relkind <> 'S' or not exists (select 1 from pg_depend d
          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i'))) loop
      execute format('alter %s %I.%I owner to %I',
        case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence' when 'f' then 'foreign table' else 'table' end,
        r.nspname, r.relname, app);
    end loop;
    for r in select p.oid::regprocedure as f, p.prokind from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('relayboard', 'staging', 'warehouse', 'pgboss') and pg_get_userbyid(p.proowner) not in (app, sandbox) loop
      execute format('alter %s %s owner to %I', case r.prokind when 'p' then 'procedure' else 'function' end, r.f, app);
    end loop;
    for r in select n.nspname, t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname in ('relayboard', 'staging', 'warehouse', 'pgboss') and t.typtype in ('e', 'd', 'c') and t.typrelid = 0
        and pg_get_userbyid(t.typowner) not in (app, sandbox) loop
      execute format('alter type %I.%I owner to %I', r.nspname, r.typname, app);
    end loop;
  end $$`);
}

/**
 * The sandbox needs CREATE on warehouse for its tables and views, and PostgreSQL's CREATE right
 * also covers functions, procedures, types and operators. An event trigger (superuser-made, so
 * the sandbox cannot drop it) refuses every other DDL command from the sandbox role.
 */
export const SANDBOX_DDL_ALLOWED = ["CREATE TABLE AS", "CREATE VIEW", "DROP TABLE", "DROP VIEW", "ALTER TABLE", "CREATE INDEX"];

async function installSandboxDdlGuard(admin: Sql): Promise<void> {
  const allowed = SANDBOX_DDL_ALLOWED.map(literal).join(", ");
  await admin.unsafe(`create or replace function public.relayboard_sandbox_ddl_guard() returns event_trigger
    language plpgsql as $$
    begin
      if current_user = ${literal(SANDBOX_ROLE)} and tg_tag <> all (array[${allowed}]) then
        raise exception 'Models may only create tables and views (% is not allowed)', tg_tag using errcode = '42501';
      end if;
    end $$`);
  await admin.unsafe(`do $$ begin
    if not exists (select 1 from pg_event_trigger where evtname = 'relayboard_sandbox_ddl_guard') then
      create event trigger relayboard_sandbox_ddl_guard on ddl_command_start execute function public.relayboard_sandbox_ddl_guard();
    end if;
  end $$`);
}

async function revokeSideEffectFunctions(admin: Sql, app: string): Promise<void> {
  const patterns = REVOKED_FUNCTION_PATTERNS.map(literal).join(", ");
  await admin.unsafe(`do $$
  declare r record;
  begin
    for r in select p.oid::regprocedure as f from pg_proc p
      where p.proname like any (array[${patterns}]) and p.prokind = 'f' loop
      execute format('revoke execute on function %s from public', r.f);
      execute format('grant execute on function %s to %I', r.f, ${literal(app)});
    end loop;
  end $$`);
}

export type SandboxGrants = {
  role: {
    login: boolean;
    superuser: boolean;
    inherit: boolean;
    createRole: boolean;
    createDb: boolean;
    bypassRls: boolean;
    memberOf: string[];
  };
  schemas: Record<string, string[]>;
  settings: string[];
  executable: Record<string, boolean>;
};

/** What the sandbox role may do, read back from the catalogs (docs/security.md lists the same). */
export async function readSandboxGrants(sql: Sql, functions: string[]): Promise<SandboxGrants> {
  const [role] = await sql`
    select rolcanlogin, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolbypassrls,
      array(select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid order by 1) as member_of
    from pg_roles r where rolname = ${SANDBOX_ROLE}`;
  const schemaRows = await sql`
    select n.nspname as schema,
      array_remove(array[
        case when has_schema_privilege(${SANDBOX_ROLE}, n.oid, 'USAGE') then 'USAGE' end,
        case when has_schema_privilege(${SANDBOX_ROLE}, n.oid, 'CREATE') then 'CREATE' end], null) as privileges
    from pg_namespace n where n.nspname in ('relayboard', 'staging', 'warehouse', 'pgboss', 'public') order by 1`;
  const settings = await sql`
    select unnest(s.setconfig) as setting from pg_db_role_setting s
    where s.setrole = (select oid from pg_roles where rolname = ${SANDBOX_ROLE}) and s.setdatabase = 0 order by 1`;
  const executable: Record<string, boolean> = {};
  for (const fn of functions) {
    const [row] = await sql`
      select bool_or(has_function_privilege(${SANDBOX_ROLE}, p.oid, 'EXECUTE')) as ok
      from pg_proc p where p.proname = ${fn}`;
    executable[fn] = Boolean(row?.ok);
  }
  return {
    role: {
      login: role!.rolcanlogin,
      superuser: role!.rolsuper,
      inherit: role!.rolinherit,
      createRole: role!.rolcreaterole,
      createDb: role!.rolcreatedb,
      bypassRls: role!.rolbypassrls,
      memberOf: role!.member_of,
    },
    schemas: Object.fromEntries(schemaRows.map((r) => [r.schema as string, r.privileges as string[]])),
    settings: settings.map((r) => r.setting as string),
    executable,
  };
}
