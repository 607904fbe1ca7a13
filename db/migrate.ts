import path from "node:path";
import postgres from "postgres";
import PgBoss from "pg-boss";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { bossOptions } from "@/lib/queue/boss";

// Any fixed 64-bit number: web, worker and CLI starting together take turns on it.
const MIGRATION_LOCK_KEY = 7_238_001_115n;

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Applies drizzle migrations and installs pg-boss's schema, under one advisory lock; `withBoss`
 * runs against the freshly installed queue (entrypoints create their job queues there).
 */
export async function migrateDatabase(url: string, opts: { withBoss?: (boss: PgBoss) => Promise<void> } = {}): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    try {
      await migrate(drizzle(sql), {
        migrationsFolder: MIGRATIONS_FOLDER,
        migrationsSchema: "relayboard",
        migrationsTable: "__drizzle_migrations",
      });
      const boss = new PgBoss(bossOptions(url, "installer"));
      boss.on("error", () => {});
      await boss.start();
      await opts.withBoss?.(boss);
      await boss.stop({ graceful: false, close: true });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
