import type { Logger } from "pino";
import { getEnv } from "@/lib/env";
import { ensureEmbeddedPostgres, type EmbeddedHandle } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { ensureQueues } from "@/jobs/ensure-queues";

/**
 * For entrypoints (launcher, worker, CLI): the external DATABASE_URL, or the embedded server
 * (started here when no other process runs it), migrated to the current schema.
 */
export async function prepareDatabase(opts: { log: Logger; migrate?: boolean }): Promise<EmbeddedHandle> {
  const env = getEnv();
  const handle: EmbeddedHandle = env.databaseUrl
    ? { url: env.databaseUrl, owned: false, stop: async () => {} }
    : await ensureEmbeddedPostgres(env.dataDir, { port: env.embeddedPgPort, log: opts.log });
  if (opts.migrate !== false) await migrateDatabase(handle.url, { withBoss: ensureQueues });
  return handle;
}
