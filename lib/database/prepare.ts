import type { Logger } from "pino";
import { getEnv } from "@/lib/env";
import { ensureEmbeddedPostgres, type EmbeddedHandle } from "@/db/embedded";
import { migrateDatabase } from "@/lib/database/migrate";
import { sandboxPassword } from "@/lib/transform/sandbox";
import { superuserWarning } from "@/lib/db-role-warning";

/**
 * For entrypoints (launcher, worker, CLI): the external DATABASE_URL, or the embedded server
 * (started here when no other process runs it), with its roles provisioned and migrated to the
 * current schema. The embedded server provisions its roles as it starts (db/embedded.ts).
 */
export async function prepareDatabase(opts: { log: Logger; migrate?: boolean }): Promise<EmbeddedHandle> {
  const env = getEnv();
  const handle: EmbeddedHandle = env.databaseUrl
    ? { url: env.databaseUrl, owned: false, stop: async () => {} }
    : await ensureEmbeddedPostgres(env.dataDir, {
        port: env.embeddedPgPort,
        log: opts.log,
        statementTimeoutMs: env.modelStatementTimeoutMs,
      });
  if (opts.migrate !== false) {
    const report = await migrateDatabase(handle.url, {
      provision: env.databaseUrl
        ? {
            adminUrl: env.adminDatabaseUrl,
            sandboxPassword: sandboxPassword(),
            statementTimeoutMs: env.modelStatementTimeoutMs,
          }
        : undefined,
    });
    const warning = superuserWarning(report.role);
    if (warning) opts.log.warn({ role: report.role.name }, warning);
    for (const skipped of report.provisioningSkipped) opts.log.warn({ skipped }, "database privileges: not everything could be set");
    if (report.queueUpgrade)
      opts.log.warn(
        { ...report.queueUpgrade },
        "moved pg-boss 10's jobs and schedules to pg-boss 12; the old schema is kept as pgboss_v10_backup (docs/queue.md)",
      );
  }
  return handle;
}
