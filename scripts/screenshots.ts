import fs from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { signUpFirstAdmin, startFreshApp } from "../e2e/fresh-app";
import { shown } from "../e2e/locators";

/**
 * `npm run screenshots`: starts a fresh install (embedded defaults, its own DATA_DIR under
 * .test-data/screenshots, port 3213), signs up the first admin, runs "Try it with sample data",
 * and captures the main pages into docs/screenshots/ at a fixed viewport in the light theme.
 * Uses the production build (`next build` first if there is none). Not part of `npm test`.
 */
const PORT = Number(process.env.SCREENSHOTS_PORT ?? 3213);
const OUT = path.join(__dirname, "..", "docs", "screenshots");
const VIEWPORT = { width: 1280, height: 800 };
const ADMIN = { name: "Ada Admin", email: "admin@example.com", password: "Screensh0t-password" };

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle").catch(() => {});
  // Fonts and the chart's entry animation.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(800);
}

/** The viewport's first screen, or (tall) the whole page: the window grows to fit so the sidebar does too. */
async function capture(page: Page, name: string, opts: { tall?: boolean } = {}): Promise<void> {
  await settle(page);
  if (opts.tall) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: VIEWPORT.width, height: Math.min(Math.max(height, VIEWPORT.height), 4000) });
    await settle(page);
  }
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
  await page.setViewportSize(VIEWPORT);
  console.log(`  ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  console.log(`starting a fresh app on :${PORT} …`);
  const app = await startFreshApp({ port: PORT, name: "screenshots" });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--font-render-hinting=none",
    ],
  });
  try {
    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      colorScheme: "light",
      locale: "en-GB",
      timezoneId: "UTC",
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const url = app.url;
    await signUpFirstAdmin(page, url, ADMIN);

    await page.goto(`${url}/`);
    await shown(page, "sample-data-offer").waitFor();
    await capture(page, "01-dashboard-empty");

    await shown(page, "sample-data-offer").getByRole("button", { name: "Try it with sample data" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    await shown(page, "sample-run-messages").getByTestId("sample-message").first().waitFor({ timeout: 60_000 });
    await capture(page, "02-run", { tall: true });

    await page.goto(`${url}/`);
    await shown(page, "sample-next-steps").waitFor();
    await capture(page, "03-dashboard", { tall: true });

    await page.goto(`${url}/datasets`);
    await capture(page, "04-datasets");

    // The dataset hub: status, schema, rows, pipelines, downstream models and recent runs.
    await page.goto(`${url}/datasets/sample_orders`);
    await capture(page, "05-dataset", { tall: true });

    // The model editor after Preview: SQL on the left, the results tab beside it.
    await page.goto(`${url}/models/sample_weekly_revenue`);
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    await page.getByRole("tabpanel").getByRole("table").first().waitFor();
    await capture(page, "06-model");

    // Lineage opened focused on the model: its datasets upstream, its pipeline and channel downstream.
    await page.goto(`${url}/models/lineage?focus=${encodeURIComponent("model:sample_weekly_revenue")}`);
    await capture(page, "07-lineage");

    await page.goto(`${url}/destinations`);
    const sample = shown(page, "destination-row").first().getByRole("link").first();
    await capture(page, "08-destinations");
    await sample.click();
    await shown(page, "sample-channel").waitFor();
    await capture(page, "09-sample-channel");

    await page.goto(`${url}/pipelines`);
    await capture(page, "10-pipelines");
    await page.getByRole("link", { name: "sample_orders" }).first().click();
    await page.waitForURL(/\/pipelines\/[0-9a-f-]{36}$/);
    await capture(page, "11-pipeline", { tall: true });
  } finally {
    await browser.close();
    await app.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
