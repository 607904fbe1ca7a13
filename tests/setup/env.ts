import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { closeDb } from "@/db";
import { resetEnvForTests } from "@/lib/env";
import { APP_ROLE } from "@/db/roles";
import { createFreshDatabase } from "../helpers/test-database";

/**
 * Every integration test file gets a database of its own, copied from the run's migrated
 * template (fast: Postgres copies the files), and a data directory of its own (object storage
 * lives there: files run side by side and count what they stored). The run's secrets are
 * copied in, so every file and the workers it starts derive the same sandbox password.
 */
const runDataDir = inject("dataDir");
const fileDataDir = fs.mkdtempSync(path.join(runDataDir, "file-"));
const runSecrets = path.join(runDataDir, "secrets.json");
if (fs.existsSync(runSecrets)) fs.copyFileSync(runSecrets, path.join(fileDataDir, "secrets.json"));
process.env.DATA_DIR = fileDataDir;
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
  fs.rmSync(fileDataDir, { recursive: true, force: true });
});
