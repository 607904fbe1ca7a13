import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { shown } from "./locators";
import { signUpFirstAdmin, startFreshApp, type FreshApp } from "./fresh-app";
import { PORTS } from "./ports";

/**
 * "Try it with sample data" on an empty install. The shared e2e app has datasets by now, so this
 * spec starts a fresh install of its own (port 3212 by default, its own DATA_DIR and embedded Postgres, no
 * outbound host allowed: the sample channel must need no network).
 */
const PORT = PORTS.sample;
const ADMIN = { name: "Sam Sample", email: "sample-admin@example.com", password: "Sampl3-password-e2e" };

let app: FreshApp | undefined;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  app = await startFreshApp({ port: PORT, name: "e2e-sample" });
});

test.afterAll(async () => {
  await app?.stop();
});

async function axeViolations(page: Page, label: string): Promise<string[]> {
  await page.waitForLoadState("networkidle").catch(() => {});
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(" | ")}`,
    );
}

test("from an empty install, one click ends in a succeeded run and the message the channel would get", async ({ page }) => {
  test.setTimeout(240_000);
  const url = app!.url;
  const violations: string[] = [];
  await signUpFirstAdmin(page, url, ADMIN);

  // The empty datasets page offers the sample too.
  await page.goto(`${url}/datasets`);
  await expect(page.getByRole("heading", { name: "No datasets yet" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Try it with sample data" })).toBeVisible();
  violations.push(...(await axeViolations(page, "/datasets (empty)")));

  await page.goto(`${url}/`);
  const offer = shown(page, "sample-data-offer");
  await expect(offer).toBeVisible();
  violations.push(...(await axeViolations(page, "/ (offer)")));

  const clickedAt = Date.now();
  await offer.getByRole("button", { name: "Try it with sample data" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: 45_000 });
  await expect(shown(page, "run-status").first()).toContainText(/succeeded/i, {
    timeout: Math.max(1_000, 60_000 - (Date.now() - clickedAt)),
  });
  expect(Date.now() - clickedAt).toBeLessThan(60_000);
  for (const step of ["load", "transform", "test", "deliver"]) {
    await expect(shown(page, `step-${step}`).first()).toHaveAttribute("data-status", "succeeded");
  }
  await expect(shown(page, "run-delivery").first()).toHaveAttribute("data-status", "sent");

  // The delivered message, as the channel would show it, without any Slack.
  const message = shown(page, "sample-run-messages").getByTestId("sample-message");
  await expect(message).toHaveCount(1);
  await expect(message).toContainText("Weekly revenue by region");
  await expect(message).toContainText("4000");
  await expect(message).toContainText("North");
  violations.push(...(await axeViolations(page, "/runs/[id] (sample)")));
  const runUrl = page.url();

  // The dashboard now explains what to do next, with links.
  await page.goto(`${url}/`);
  const next = shown(page, "sample-next-steps");
  await expect(next).toBeVisible();
  await expect(shown(page, "sample-data-offer")).toHaveCount(0);
  await expect(next.getByRole("link", { name: "Add a Slack webhook" })).toHaveAttribute("href", /\/destinations\/[0-9a-f-]{36}$/);
  await expect(next.getByRole("link", { name: "Set a schedule" })).toHaveAttribute("href", /\/pipelines\/[0-9a-f-]{36}#edit$/);
  await expect(next.getByRole("link", { name: "Open the run" })).toHaveAttribute("href", new URL(runUrl).pathname);
  violations.push(...(await axeViolations(page, "/ (next steps)")));

  // The sample channel's own page shows the same message.
  await next.getByRole("link", { name: "Open the Sample channel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sample channel" })).toBeVisible();
  await expect(shown(page, "sample-channel").getByTestId("sample-message").first()).toContainText("Weekly revenue by region");
  await expect(shown(page, "destination-url")).toContainText("posts nothing");
  violations.push(...(await axeViolations(page, "/destinations/[id] (sample)")));

  // The model built on top, and the loaded dataset.
  await page.goto(`${url}/datasets`);
  await expect(shown(page, "dataset-row").filter({ hasText: "sample_orders" })).toContainText("4,000");
  await page.goto(`${url}/models/sample_weekly_revenue`);
  await expect(page.getByRole("heading", { level: 1, name: "sample_weekly_revenue" })).toBeVisible();

  expect(violations, violations.join("\n")).toEqual([]);
});
