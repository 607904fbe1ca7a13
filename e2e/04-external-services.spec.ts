import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { createFreshDatabase } from "../tests/helpers/test-database";
import { APP_ROLE } from "../db/roles";
import { startS3Server } from "../tests/helpers/s3-server";
import { ensureEmbeddedPostgres, type EmbeddedHandle } from "../db/embedded";
import { PORTS, TEST_DATA } from "./ports";

/**
 * The same app against services it does not own: an existing PostgreSQL (DATABASE_URL; the
 * machine's server when the suite has one, else a separately started server) and an S3-API server.
 */
const PORT = PORTS.external;
const S3_SECRET = "s3-secret-e2e-7f3a9c";
// Production mode with an explicit DATABASE_URL requires real secrets; these are checked for leaks too.
export const EXTERNAL_AUTH_SECRET = "e2e-external-auth-secret-0123456789abcdef";
export const EXTERNAL_ENCRYPTION_KEY = Buffer.alloc(32, 0x5a).toString("base64");
const root = path.join(__dirname, "..");
export const EXTERNAL_LOG = path.join(TEST_DATA, "external-app.log");

let app: ChildProcess | undefined;
let s3: Awaited<ReturnType<typeof startS3Server>> | undefined;
let database: { url: string; drop: () => Promise<void> } | undefined;
let separateServer: EmbeddedHandle | undefined;
let env: NodeJS.ProcessEnv;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    separateServer = await ensureEmbeddedPostgres(fs.mkdtempSync(path.join(os.tmpdir(), "rb-e2e-external-")));
    serverUrl = separateServer.adminUrl!;
  }
  // On the embedded server the database belongs to its (non-superuser) app role, as in production.
  database = await createFreshDatabase(
    serverUrl,
    "rb_e2e",
    undefined,
    separateServer ? { owner: APP_ROLE, appUrl: separateServer.url } : undefined,
  );
  s3 = await startS3Server("relayboard-e2e");
  env = {
    ...process.env,
    DATABASE_URL: database.url,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "rb-e2e-ext-data-")),
    PORT: String(PORT),
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: "relayboard-e2e",
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: S3_SECRET,
    S3_FORCE_PATH_STYLE: "true",
    AUTH_SECRET: EXTERNAL_AUTH_SECRET,
    ENCRYPTION_KEY: EXTERNAL_ENCRYPTION_KEY,
    LOG_LEVEL: "debug",
  };
  fs.mkdirSync(path.dirname(EXTERNAL_LOG), { recursive: true });
  const log = fs.openSync(EXTERNAL_LOG, "w");
  app = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", "start"], { cwd: root, env, stdio: ["ignore", log, log] });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (app.exitCode !== null) throw new Error(`external app exited:\n${fs.readFileSync(EXTERNAL_LOG, "utf8").slice(-3000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/health`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`external app did not become healthy:\n${fs.readFileSync(EXTERNAL_LOG, "utf8").slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
});

test.afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app!.once("exit", r));
    app.kill("SIGTERM");
    await exited;
  }
  await s3?.close();
  await database?.drop();
  await separateServer?.stop();
});

test("with DATABASE_URL and S3 settings the app is healthy, set-up works, and the CLI reaches the same database", async ({ page }) => {
  const health = await (await fetch(`http://127.0.0.1:${PORT}/health`)).json();
  expect(health.checks).toEqual({ database: "ok", storage: "ok", queue: "ok" });

  const out = execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/admin.ts",
      "user",
      "create",
      "--email",
      "ext@example.com",
      "--password",
      "Ext3rnal-password",
      "--role",
      "admin",
    ],
    {
      cwd: root,
      env: { ...env, LOG_LEVEL: "warn" },
      encoding: "utf8",
    },
  );
  expect(out).toContain("Created admin ext@example.com");

  // Setup is closed because the CLI created an admin in this database.
  await page.goto(`http://127.0.0.1:${PORT}/login`);
  await page.getByLabel("Email").fill("ext@example.com");
  await page.getByLabel("Password", { exact: true }).fill("Ext3rnal-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await page.goto(`http://127.0.0.1:${PORT}/status`);
  await expect(shown(page, "service-storage")).toContainText(/ok|healthy|operational/i);
});
