/**
 * What db/ needs to know of the configuration. lib/env.ts (the one reader of process.env) hands it
 * over as it loads: db/ never imports lib/. No imports here, so that the hand-over costs nothing.
 */
export type DatabaseSettings = { databaseUrl?: string; dataDir: string };

export class DatabaseNotConfiguredError extends Error {
  override name = "DatabaseNotConfiguredError";
}

// On globalThis: Next bundles modules more than once per process; every copy must see the source.
const globalForSettings = globalThis as unknown as { __relayboardDatabaseSettings?: () => DatabaseSettings };

export function setDatabaseSettingsSource(source: () => DatabaseSettings): void {
  globalForSettings.__relayboardDatabaseSettings = source;
}

export function currentDatabaseSettings(): DatabaseSettings {
  const source = globalForSettings.__relayboardDatabaseSettings;
  if (!source) throw new DatabaseNotConfiguredError("no database settings: lib/env.ts was never loaded in this process");
  return source();
}
