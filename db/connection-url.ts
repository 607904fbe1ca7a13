import { getEnv } from "@/lib/env";
import { findRunningEmbedded } from "@/db/embedded";

export class DatabaseNotConfiguredError extends Error {
  override name = "DatabaseNotConfiguredError";
}

/**
 * DATABASE_URL when set; otherwise the embedded server that the launcher, worker or CLI started.
 * Synchronous so the web process can build its client lazily on first use.
 */
export function resolveDatabaseUrl(): string {
  const env = getEnv();
  if (env.databaseUrl) return env.databaseUrl;
  const embedded = findRunningEmbedded(env.dataDir);
  if (!embedded) {
    throw new DatabaseNotConfiguredError(
      "DATABASE_URL is not set and the embedded Postgres is not running; start the app with `npm run dev` or `npm start`, or set DATABASE_URL",
    );
  }
  return embedded;
}
