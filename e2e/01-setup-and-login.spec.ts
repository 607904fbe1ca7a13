import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { ADMIN, logout } from "./helpers";
import { startFreshApp, type FreshApp } from "./fresh-app";
import { PORTS } from "./ports";

/**
 * The first visit of a fresh install. The shared e2e app has its admin from the setup project (the
 * CLI) by now, so this spec starts a fresh install of its own (port 3213 by default, its own DATA_DIR and
 * embedded Postgres) where /setup is still open: it runs alone or with the others.
 */
const PORT = PORTS.setup;

test.describe.configure({ mode: "serial" });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

let app: FreshApp | undefined;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  app = await startFreshApp({ port: PORT, name: "e2e-setup" });
});

test.afterAll(async () => {
  await app?.stop();
});

test("health answers 200 with every check ok on a fresh install", async ({ request }) => {
  const res = await request.get("/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ status: "ok", checks: { database: "ok", storage: "ok", queue: "ok" } });
  expect(typeof body.version).toBe("string");
});

test("pages carry the security headers (no unsafe-eval in production)", async ({ request }) => {
  const res = await request.get("/login");
  const headers = res.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).not.toContain("unsafe-eval");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
});

test("first visit → setup → logout → wrong password → login → dashboard", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup/);
  await page.getByLabel("Name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: /create admin/i }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  // The service internals live on /status; the dashboard links there.
  await expect(shown(page, "service-status-line").getByRole("link", { name: "Status" })).toBeVisible();
  await page.goto("/status");
  await expect(shown(page, "service-database")).toContainText(/ok|healthy|operational/i);

  // Setup is closed once an admin exists.
  await page.goto("/setup");
  await expect(page).not.toHaveURL(/\/setup/);

  await logout(page);

  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill("definitely-wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await page.goto("/status");
  await expect(shown(page, "workers-online")).toContainText("1");
});

test("pages need a session", async ({ browser }) => {
  const anonymous = await browser.newContext();
  const page = await anonymous.newPage();
  for (const path of ["/", "/datasets", "/settings/users"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
  }
  await anonymous.close();
});
