import { afterAll, beforeAll, inject } from "vitest";
import { closeDb } from "@/db";
import { resetEnvForTests } from "@/lib/env";
import { APP_ROLE } from "@/db/roles";
import { createFreshDatabase } from "../helpers/test-database";

/**
 * Every integration test file gets a database of its own, copied from the run's migrated
 * template (fast: Postgres copies the files), and a private data directory.
 */
process.env.DATA_DIR = inject("dataDir");
process.env.LOG_LEVEL ??= "warn";
process.env.DATABASE_URL = inject("databaseUrl");

let database: Awaited<ReturnType<typeof createFreshDatabase>> | undefined;

beforeAll(async () => {
  const appServerUrl = inject("appServerUrl");
  database = await createFreshDatabase(
    inject("serverUrl"),
    "rb_test",
    inject("templateDatabase"),
    appServerUrl ? { owner: APP_ROLE, appUrl: appServerUrl } : undefined,
  );
  process.env.DATABASE_URL = database.url;
  resetEnvForTests();
});

afterAll(async () => {
  await closeDb();
  await database?.drop().catch(() => {});
});
