import { findRunningEmbedded } from "@/db/embedded";
import { currentDatabaseSettings, DatabaseNotConfiguredError, type DatabaseSettings } from "@/db/settings";

/**
 * DATABASE_URL when set; otherwise the embedded server that the launcher, worker or CLI started.
 * Synchronous so the web process can build its client lazily on first use.
 */
export function resolveDatabaseUrl(settings: DatabaseSettings = currentDatabaseSettings()): string {
  if (settings.databaseUrl) return settings.databaseUrl;
  const embedded = findRunningEmbedded(settings.dataDir);
  if (!embedded) {
    throw new DatabaseNotConfiguredError(
      "DATABASE_URL is not set and the embedded Postgres is not running; start the app with `npm run dev` or `npm start`, or set DATABASE_URL",
    );
  }
  return embedded;
}
