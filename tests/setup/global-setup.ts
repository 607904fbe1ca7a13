import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureEmbeddedPostgres, type EmbeddedHandle } from "@/db/embedded";
import { migrateDatabase } from "@/lib/database/migrate";
import { APP_ROLE } from "@/db/roles";
import { getEnv, resetEnvForTests } from "@/lib/env";
import { sandboxPassword } from "@/lib/transform/sandbox";
import { ensureQueues } from "@/lib/queue/ensure-queues";
import { createFreshDatabase } from "../helpers/test-database";

/**
 * Integration tests run against a real Postgres: the server in DATABASE_URL when set (e.g. the
 * machine's), otherwise an embedded one under a temporary data directory. Either way each run
 * gets a fresh database, provisioned (roles, revoked functions) and migrated like production.
 */
export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayboard-it-"));
  let embedded: EmbeddedHandle | undefined;
  const externalUrl = process.env.DATABASE_URL;
  let adminUrl = externalUrl;
  if (!adminUrl) {
    embedded = await ensureEmbeddedPostgres(dataDir);
    adminUrl = embedded.adminUrl!;
  }
  const as = embedded ? { owner: APP_ROLE, appUrl: embedded.url } : undefined;
  // One migrated template per run; every test file gets its own copy of it (tests/setup/env.ts),
  // so files never see each other's rows, defaults or queued jobs.
  const database = await createFreshDatabase(adminUrl, "rb_tpl", undefined, as);

  // The sandbox password derives from the app's URL or AUTH_SECRET, read from this run's DATA_DIR
  // as the test files will.
  process.env.DATA_DIR = dataDir;
  process.env.DATABASE_URL = database.url;
  resetEnvForTests();
  await migrateDatabase(database.url, {
    withBoss: ensureQueues,
    provision: {
      adminUrl: embedded ? database.adminUrl : undefined,
      sandboxPassword: sandboxPassword(),
      statementTimeoutMs: getEnv().modelStatementTimeoutMs,
    },
  });
  if (externalUrl) process.env.DATABASE_URL = externalUrl;
  else delete process.env.DATABASE_URL;
  resetEnvForTests();

  project.provide("templateDatabase", database.name);
  project.provide("databaseUrl", database.url);
  project.provide("serverUrl", adminUrl);
  project.provide("appServerUrl", embedded?.url ?? "");
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
    /** A login that may create databases (the embedded server's superuser, or DATABASE_URL's). */
    serverUrl: string;
    /** The embedded server's app login (empty with DATABASE_URL): test databases belong to it. */
    appServerUrl: string;
    dataDir: string;
    usingEmbedded: boolean;
  }
}
