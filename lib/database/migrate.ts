import path from "node:path";
import postgres from "postgres";
import { PgBoss } from "pg-boss";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { bossOptions } from "@/lib/queue/boss";
import { ensureQueues } from "@/lib/queue/ensure-queues";
import { setAsideLegacyBossSchema } from "@/lib/queue/boss-adapter";
import { moveLegacyBossBacklog, type LegacyMove } from "@/lib/queue/boss-upgrade";
import { describeConnectionRole, provisionRoles, SANDBOX_ROLE, type ConnectionRole } from "@/db/roles";

// Any fixed 64-bit number: web, worker and CLI starting together take turns on it.
const MIGRATION_LOCK_KEY = 7_238_001_115n;

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

export type ProvisionRequest = {
  /** A superuser (or CREATEROLE) login for the same server; its database is replaced by the app's. */
  adminUrl?: string;
  sandboxPassword: string;
  statementTimeoutMs: number;
};

export type MigrationReport = {
  role: ConnectionRole;
  provisioningSkipped: string[];
  /** What moved from a pg-boss 10 schema at this start (docs/queue.md), if there was one. */
  queueUpgrade: LegacyMove | null;
};

/**
 * Provisions the roles (db/roles.ts) with the admin login, or with the app's own when it may,
 * then applies drizzle migrations and installs (or upgrades, docs/queue.md) pg-boss's schema, under one advisory lock;
 * creates every job's queue (lib/queue/jobs.ts); `withBoss` runs against the freshly installed pg-boss.
 */
export async function migrateDatabase(
  url: string,
  opts: { withBoss?: (boss: PgBoss) => Promise<void>; provision?: ProvisionRequest } = {},
): Promise<MigrationReport> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const role = await describeConnectionRole(sql);
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    let provisioningSkipped: string[] = [];
    let queueUpgrade: LegacyMove | null = null;
    try {
      // Under the lock: web, worker and CLI starting together would otherwise race on the grants.
      if (opts.provision) provisioningSkipped = await provision(url, role, sql, opts.provision);
      await migrate(drizzle(sql), {
        migrationsFolder: MIGRATIONS_FOLDER,
        migrationsSchema: "relayboard",
        migrationsTable: "__drizzle_migrations",
      });
      // pg-boss 12 has no migration from pg-boss 10's schema: it is set aside, and its backlog
      // moved into the fresh one below.
      await setAsideLegacyBossSchema(sql);
      const boss = new PgBoss(bossOptions(url, "installer"));
      boss.on("error", () => {});
      await boss.start();
      try {
        // The queues are part of the schema: sending to a queue that does not exist fails (pg-boss 11+).
        await ensureQueues(boss);
        await opts.withBoss?.(boss);
        queueUpgrade = await moveLegacyBossBacklog(sql, boss);
      } finally {
        await boss.stop({ graceful: false, close: true });
      }
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    }
    return { role, provisioningSkipped, queueUpgrade };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function provision(url: string, role: ConnectionRole, appSql: postgres.Sql, request: ProvisionRequest): Promise<string[]> {
  const base = { appRole: role.name, sandboxPassword: request.sandboxPassword, statementTimeoutMs: request.statementTimeoutMs };
  if (request.adminUrl) {
    const adminUrl = new URL(request.adminUrl);
    adminUrl.pathname = new URL(url).pathname;
    const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      const appPassword = decodeURIComponent(new URL(url).password) || undefined;
      return (await provisionRoles(admin, { ...base, appPassword })).skipped;
    } finally {
      await admin.end({ timeout: 5 });
    }
  }
  if (role.superuser || role.createRole) return (await provisionRoles(appSql, base)).skipped;
  // Provisioned already (by ADMIN_DATABASE_URL in an earlier start, or by hand): nothing to say.
  const [ready] = await appSql`select exists (select 1 from pg_roles where rolname = ${SANDBOX_ROLE} and rolcanlogin) as login,
    not has_function_privilege(${SANDBOX_ROLE}, 'pg_catalog.set_config(text, text, boolean)', 'EXECUTE') as revoked`.catch(() => [
    { login: false, revoked: false },
  ]);
  if (ready?.login && ready.revoked) return [];
  return [
    `the app's role ${role.name} may not create roles: the sandbox role's login is not managed here; set SANDBOX_DATABASE_URL, or ADMIN_DATABASE_URL once (docs/security.md)`,
  ];
}
