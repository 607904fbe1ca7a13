import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { typeSql } from "./sql-editor";
import { ensureDataset, seedApi, sessionFile } from "./seed";

test.use({ storageState: sessionFile("admin") });

// The model builds on api_flow_sales (05-api-flow loads it too): seeded through /v1 when missing.
test.beforeAll(async () => {
  test.setTimeout(90_000);
  const api = await seedApi();
  await ensureDataset(api, "api_flow_sales", "sales.csv");
  await api.dispose();
});

test("write a model with a ref, compile, preview, build, see it in the lineage, restore a revision", async ({ page }) => {
  test.setTimeout(120_000);
  // Build on api_flow_sales's typed table.
  await page.goto("/models/new");
  await page.getByLabel("Name", { exact: true }).fill("sales_by_region");
  await typeSql(page, "select region, count(*) as orders\nfrom {{ ref('api_flow_sale') }}\ngroup by region");

  await page.getByRole("button", { name: "Compile" }).click();
  await expect(shown(page, "compile-error")).toContainText("did you mean 'api_flow_sales'");

  await typeSql(page, "select region, count(*) as orders\nfrom {{ ref('api_flow_sales') }}\ngroup by region\norder by region");
  await page.getByRole("button", { name: "Compile" }).click();
  await expect(shown(page, "compiled-sql")).toContainText('warehouse."api_flow_sales"');

  await page.getByRole("button", { name: "Preview" }).click();
  const preview = shown(page, "preview-table");
  await expect(preview).toContainText("north");
  await expect(preview).toContainText("15");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/models\/sales_by_region/, { timeout: 15_000 });

  await page.getByRole("button", { name: "Build", exact: true }).click();
  await expect(shown(page, "build-status")).toContainText(/succeeded/i, { timeout: 45_000 });

  // A second revision, then restore the first.
  await typeSql(page, "select region from {{ ref('api_flow_sales') }} group by region");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(shown(page, "revisions")).toContainText("2");
  await page
    .getByRole("button", { name: /Restore revision 1/ })
    .first()
    .click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Restore revision 1" }).click();
  await expect(shown(page, "revisions")).toContainText("3");
  await expect(page.locator(".cm-content").first()).toContainText("count(*) as orders");

  await page.goto("/models/lineage");
  const graph = page.getByRole("group", { name: "Graph" });
  await expect(graph.getByTestId("lineage-node-sales_by_region")).toBeVisible();
  await expect(graph.getByTestId("lineage-node-api_flow_sales")).toBeVisible();
  await graph.getByTestId("lineage-node-sales_by_region").getByRole("link").click();
  await expect(page).toHaveURL(/\/models\/sales_by_region/);
});
