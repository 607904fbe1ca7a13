import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureEmbeddedPostgres, type EmbeddedHandle } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { ensureQueues } from "@/jobs/ensure-queues";
import { createFreshDatabase } from "../helpers/test-database";

/**
 * Integration tests run against a real Postgres: the server in DATABASE_URL when set (e.g. the
 * machine's), otherwise an embedded one under a temporary data directory. Either way each run
 * gets a fresh database, migrated like production.
 */
export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayboard-it-"));
  let embedded: EmbeddedHandle | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    embedded = await ensureEmbeddedPostgres(dataDir);
    serverUrl = embedded.url;
  }
  // One migrated template per run; every test file gets its own copy of it (tests/setup/env.ts),
  // so files never see each other's rows, defaults or queued jobs.
  const database = await createFreshDatabase(serverUrl, "rb_tpl");
  await migrateDatabase(database.url, { withBoss: ensureQueues });

  project.provide("templateDatabase", database.name);
  project.provide("databaseUrl", database.url);
  project.provide("serverUrl", serverUrl);
  project.provide("dataDir", dataDir);
  project.provide("usingEmbedded", Boolean(embedded));

  return async () => {
    await database.drop().catch(() => {});
    await embedded?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
    serverUrl: string;
    dataDir: string;
    usingEmbedded: boolean;
  }
}
