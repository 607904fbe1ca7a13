import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { expect, type Page } from "@playwright/test";
import { shown } from "./locators";
import { TEST_DATA } from "./ports";

/**
 * A second, fresh install beside the shared e2e app: its own port and DATA_DIR (so its own
 * embedded Postgres and storage), no configuration, and no outbound host allowed at all. Used
 * where a spec needs an empty install (the shared app has datasets by then) and by
 * `npm run screenshots`.
 */
export type FreshApp = { url: string; dataDir: string; log: string; stop: () => Promise<void> };

const ROOT = path.join(__dirname, "..");

export async function startFreshApp(opts: { port: number; name: string; timeoutMs?: number }): Promise<FreshApp> {
  const dataDir = path.join(TEST_DATA, opts.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const log = path.join(dataDir, "app.log");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(opts.port),
    LOG_LEVEL: "info",
    OUTBOUND_ALLOW_HOSTS: "",
  };
  for (const key of [
    "DATABASE_URL",
    "S3_ENDPOINT",
    "S3_BUCKET",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "AUTH_SECRET",
    "ENCRYPTION_KEY",
    "APP_URL",
    "NODE_ENV",
  ]) {
    delete env[key];
  }
  const out = fs.openSync(log, "w");
  const app: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", "start"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", out, out],
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    if (app.exitCode !== null || app.signalCode !== null) return;
    const exited = new Promise((r) => app.once("exit", r));
    app.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  for (;;) {
    if (app.exitCode !== null) throw new Error(`fresh app exited:\n${fs.readFileSync(log, "utf8").slice(-3000)}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`fresh app did not become healthy:\n${fs.readFileSync(log, "utf8").slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, dataDir, log, stop };
}

/** The first visit of a fresh install: set-up form, first admin, dashboard with a worker online. */
export async function signUpFirstAdmin(page: Page, url: string, admin: { name: string; email: string; password: string }): Promise<void> {
  await page.goto(`${url}/`);
  await expect(page).toHaveURL(/\/setup/);
  await page.getByLabel("Name").fill(admin.name);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByLabel("Confirm password").fill(admin.password);
  await page.getByRole("button", { name: /create admin/i }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  // The worker starts beside the web process; the sample needs it, as a person would find (on /status).
  await expect(async () => {
    await page.goto(`${url}/status`);
    await expect(shown(page, "workers-online")).toContainText("1", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await page.goto(`${url}/`);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
}
