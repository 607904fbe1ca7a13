import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedAdminUrl, ensureEmbeddedPostgres, type EmbeddedHandle } from "@/db/embedded";
import { APP_ROLE } from "@/db/roles";
import { sandboxUrlFor } from "@/lib/transform/sandbox";
import { migrateDatabase } from "@/lib/database/migrate";

/**
 * An embedded data directory made by the version before roles existed: the app logged in as the
 * bootstrap superuser, which owned every schema and table, and embedded-postgres.json held only
 * that password. The new version must start it, hand everything to the non-superuser app role,
 * and keep every row.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rb-embedded-upgrade-"));
let server: EmbeddedHandle | undefined;

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function withSql<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe("an embedded data directory from the superuser era", () => {
  it("is started, handed to the app role, and keeps its data", async () => {
    // Build the old layout: schema and rows made by the superuser, no app role, old state file.
    server = await ensureEmbeddedPostgres(dataDir);
    const adminUrl = server.adminUrl!;
    await migrateDatabase(adminUrl);
    await withSql(adminUrl, async (sql) => {
      await sql`insert into relayboard.users (email, password_hash, role) values ('old@example.com', 'x', 'admin')`;
      await sql`create table staging.old_data as select 1 as id`;
      await sql`alter database relayboard owner to postgres`;
      await sql.unsafe(`reassign owned by ${APP_ROLE} to postgres`);
      await sql.unsafe(`drop owned by ${APP_ROLE}`);
      await sql.unsafe(`drop role ${APP_ROLE}`);
      const [owner] = await sql`select pg_get_userbyid(nspowner) as o from pg_namespace where nspname = 'relayboard'`;
      expect(owner!.o).toBe("postgres");
    });
    const statePath = path.join(dataDir, "embedded-postgres.json");
    const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as { port: number; password: string };
    fs.writeFileSync(statePath, JSON.stringify({ port: state.port, password: state.password, ownerPid: process.pid }), { mode: 0o600 });
    await server.stop();
    server = undefined;

    // The new version starts it.
    server = await ensureEmbeddedPostgres(dataDir);
    expect(new URL(server.url).username).toBe(APP_ROLE);
    const report = await migrateDatabase(server.url);
    expect(report.role).toMatchObject({ name: APP_ROLE, superuser: false });

    await withSql(server.url, async (sql) => {
      const [user] = await sql`select email from relayboard.users where email = 'old@example.com'`;
      expect(user).toBeTruthy();
      await sql`insert into relayboard.users (email, password_hash, role) values ('new@example.com', 'x', 'viewer')`;
      const owners =
        await sql`select distinct pg_get_userbyid(c.relowner) as o, min(n.nspname || '.' || c.relname || ':' || c.relkind::text) over (partition by c.relowner) as example from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('relayboard', 'staging', 'pgboss') and c.relkind in ('r', 'S', 'v')`;
      expect(
        owners.map((r) => r.o),
        JSON.stringify(owners),
      ).toEqual([APP_ROLE]);
    });
    // The sandbox logs in with its derived password and reads staging, and nothing of the app's.
    // The app's URL carries a password, so AUTH_SECRET plays no part in the derivation.
    const sandboxUrl = sandboxUrlFor(server.url, "unused");
    await withSql(sandboxUrl, async (sql) => {
      expect((await sql`select id from staging.old_data`)[0]!.id).toBe(1);
      const denied = await sql`select email from relayboard.users`.catch((e: Error) => e);
      expect(denied).toBeInstanceOf(Error);
    });
    // The superuser's password is still the one the old file had: nothing was lost.
    await withSql(embeddedAdminUrl({ port: Number(new URL(server.url).port), password: state.password }), async (sql) => {
      expect((await sql`select 1 as ok`)[0]!.ok).toBe(1);
    });
  }, 180_000);
});
