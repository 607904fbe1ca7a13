import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { expect, type Page } from "@playwright/test";
import { shown } from "./locators";
import { PORTS, TEST_DATA } from "./ports";

export const DATA_DIR = process.env.E2E_DATA_DIR ?? path.join(TEST_DATA, "e2e");
export const ADMIN = { email: "admin@example.com", password: "Adm1n-password-e2e", name: "Ada Admin" };
export const VIEWER = { email: "viewer@example.com", password: "V1ewer-password-e2e" };
export const EDITOR = { email: "editor@example.com", password: "Ed1tor-password-e2e" };

/** Where the app's embedded Postgres listens and its superuser's password. */
export function embeddedPostgres(): { port: number; password: string } {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, "embedded-postgres.json"), "utf8")) as { port: number; password: string };
}

/** A superuser connection to the app's embedded Postgres, for checks and holds the UI cannot make. */
export function embeddedAdminSql(): postgres.Sql {
  const embedded = embeddedPostgres();
  return postgres(`postgres://postgres:${encodeURIComponent(embedded.password)}@127.0.0.1:${embedded.port}/relayboard`, {
    max: 1,
    onnotice: () => {},
  });
}

/** The admin CLI as an operator runs it: same configuration as the app, no DATABASE_URL. */
export function runAdmin(args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR, LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  return execFileSync(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
    cwd: path.join(__dirname, ".."),
    env,
    encoding: "utf8",
  });
}

export async function login(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
}

export async function logout(page: Page): Promise<void> {
  await shown(page, "user-menu").click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

export const CSV_HOST = `http://127.0.0.1:${PORTS.csvHost}`;
export const SLACK_SINK = `http://127.0.0.1:${PORTS.slackSink}`;

export type SinkMessage = { path: string; body: { text?: string; blocks?: unknown[] }; receivedAt: number };

export async function sinkMessages(): Promise<SinkMessage[]> {
  return (await fetch(`${SLACK_SINK}/_sink/messages`)).json() as Promise<SinkMessage[]>;
}

/**
 * Waits until no toast is shown. Toasts open at the top right, over the page's own buttons there,
 * and sonner keeps one open while the pointer rests on it: after a click on a button under it,
 * the pointer does, so the pointer is moved off first (as a person moves on).
 */
export async function waitForToastsToClose(page: Page): Promise<void> {
  await page.mouse.move(1, (page.viewportSize()?.height ?? 600) - 1);
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
}
