import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { ensureDataset, ensureModel, seedApi, sessionFile } from "./seed";

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
  "/models/lineage?focus=model:sales_by_region",
  "/destinations",
  "/destinations/preview",
  "/pipelines",
  "/pipelines/new",
  "/runs",
  "/status",
  "/settings",
  "/settings/users",
  "/settings/tokens",
  "/settings/audit",
  "/api-docs",
];

test.use({ storageState: sessionFile("admin") });

// The pages below show a dataset, a model and a run: seeded through /v1 when missing (the same
// names 05-api-flow and 07-models make).
test.beforeAll(async () => {
  test.setTimeout(150_000);
  const api = await seedApi();
  await ensureDataset(api, "api_flow_sales", "sales.csv");
  await ensureModel(
    api,
    "sales_by_region",
    "select region, count(*) as orders\nfrom {{ ref('api_flow_sales') }}\ngroup by region\norder by region",
  );
  await api.dispose();
});

test("no serious or critical accessibility violations on any page", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const anonymous = await context.newPage();
  await anonymous.goto("/login");
  const loginResults = await new AxeBuilder({ page: anonymous }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  await context.close();

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  const runId = await page.evaluate(async () => {
    const res = await fetch("/runs");
    const html = await res.text();
    return /\/runs\/([0-9a-f-]{36})/.exec(html)?.[1] ?? null;
  });
  const found: string[] = [];
  const report = (url: string, violations: typeof loginResults.violations) => {
    for (const v of violations.filter((x) => x.impact === "serious" || x.impact === "critical")) {
      found.push(
        `${url}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(" | ")}`,
      );
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
