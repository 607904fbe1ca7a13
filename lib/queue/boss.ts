import { PgBoss, type ConstructorOptions } from "pg-boss";
import { resolveDatabaseUrl } from "@/db/connection-url";

export const BOSS_SCHEMA = "pgboss";

type Role = "web" | "worker" | "installer";

/** pg-boss options per process role: only workers supervise (maintenance) and run cron schedules. */
export function bossOptions(url: string, role: Role): ConstructorOptions {
  return {
    connectionString: url,
    schema: BOSS_SCHEMA,
    application_name: `relayboard-${role}`,
    max: role === "worker" ? 6 : 3,
    migrate: role === "installer",
    supervise: role === "worker",
    schedule: role === "worker",
  };
}

const globalForBoss = globalThis as unknown as { __relayboardBoss?: Promise<PgBoss> };

/** The web process's send-only pg-boss, started once per process. */
export function getBoss(): Promise<PgBoss> {
  if (!globalForBoss.__relayboardBoss) {
    const boss = new PgBoss(bossOptions(resolveDatabaseUrl(), "web"));
    // A connection error is reported by the health check; without a listener it would crash the process.
    boss.on("error", () => {});
    globalForBoss.__relayboardBoss = boss.start().catch((err) => {
      globalForBoss.__relayboardBoss = undefined;
      throw err;
    });
  }
  return globalForBoss.__relayboardBoss;
}
