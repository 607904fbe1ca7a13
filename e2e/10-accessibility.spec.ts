import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { ADMIN, login } from "./helpers";

/** axe-core on every page a person reaches: no serious or critical violations. */
const PAGES = [
  "/",
  "/datasets",
  "/datasets/new",
  "/datasets/api_flow_sales",
  "/models",
  "/models/new",
  "/models/sales_by_region",
  "/models/lineage",
  "/destinations",
  "/destinations/preview",
  "/pipelines",
  "/pipelines/new",
  "/runs",
  "/settings",
  "/settings/users",
  "/settings/tokens",
  "/settings/audit",
  "/api-docs",
];

test("no serious or critical accessibility violations on any page", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext();
  const anonymous = await context.newPage();
  await anonymous.goto("/login");
  const loginResults = await new AxeBuilder({ page: anonymous }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  await context.close();

  await login(page, ADMIN);
  const runId = await page.evaluate(async () => {
    const res = await fetch("/runs");
    const html = await res.text();
    return /\/runs\/([0-9a-f-]{36})/.exec(html)?.[1] ?? null;
  });
  const found: string[] = [];
  const report = (url: string, violations: typeof loginResults.violations) => {
    for (const v of violations.filter((x) => x.impact === "serious" || x.impact === "critical")) {
      found.push(`${url}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
    }
  };
  report("/login", loginResults.violations);
  for (const url of [...PAGES, ...(runId ? [`/runs/${runId}`] : [])]) {
    await page.goto(url);
    await page.waitForLoadState("networkidle").catch(() => {});
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    report(url, results.violations);
  }
  expect(found, found.join("\n")).toEqual([]);
});
