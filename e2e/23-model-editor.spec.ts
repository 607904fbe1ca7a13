import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { shown } from "./locators";
import { typeSql } from "./sql-editor";
import { ensureDataset, seedApi, sessionFile } from "./seed";

test.describe.configure({ mode: "serial" });
test.use({ storageState: sessionFile("editor"), viewport: { width: 1280, height: 800 } });

const DATASET = "ed_sales";
const TESTED = "ed_tested";
// sales.csv's header, in order; jsonb would store a sample row's keys in another one.
const COLUMNS = ["order_id", "region", "amount", "ordered_on", "paid"];

// A dataset, and a model whose error-severity test fails (east and west are not accepted).
test.beforeAll(async () => {
  test.setTimeout(120_000);
  const api = await seedApi();
  await ensureDataset(api, DATASET, "sales.csv");
  const put = await api.put(`/v1/models/${TESTED}`, {
    data: {
      sql: `select ${COLUMNS.join(", ")} from {{ ref('${DATASET}') }}`,
      materialization: "table",
      tests: [{ type: "accepted_values", column: "region", values: ["north", "south"] }],
    },
  });
  expect([200, 201], await put.text()).toContain(put.status());
  await api.dispose();
});

async function newModel(page: Page, sql: string) {
  await page.goto("/models/new");
  await page.getByLabel("Name", { exact: true }).fill("ed_draft");
  await typeSql(page, sql);
}

async function noSidewaysScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, "the page does not scroll sideways").toBeLessThanOrEqual(clientWidth);
}

test("Preview and Compile answer beside the editor, in view, and an edit clears the old answer", async ({ page }) => {
  await newModel(page, `select region, count(*) as orders\nfrom {{ ref('${DATASET}') }}\ngroup by region\norder by region`);

  await page.getByRole("button", { name: "Preview" }).click();
  const table = shown(page, "preview-table");
  await expect(table).toContainText("north");
  await expect(page.getByRole("tab", { name: "Results" })).toHaveAttribute("aria-selected", "true");
  await expect(table).toBeInViewport({ ratio: 0.5 });
  // Nothing had to scroll to get there.
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  // Beside the editor, not below it.
  const editorBox = (await page.locator(".cm-editor").first().boundingBox())!;
  const paneBox = (await shown(page, "results-pane").boundingBox())!;
  expect(paneBox.x).toBeGreaterThan(editorBox.x + editorBox.width - 1);

  await page.getByRole("button", { name: "Compile" }).click();
  await expect(page.getByRole("tab", { name: /Compiled/ })).toHaveAttribute("aria-selected", "true");
  await expect(shown(page, "compiled-sql")).toContainText(`warehouse."${DATASET}"`);
  await expect(shown(page, "compiled-sql")).toBeInViewport();

  // One more character: the compiled SQL and the rows are of other SQL now, so they go.
  await page.locator(".cm-content").first().click();
  await page.keyboard.press("ControlOrMeta+End");
  await page.keyboard.type(" desc");
  await expect(shown(page, "compiled-stale")).toBeVisible();
  await expect(page.getByTestId("compiled-sql")).toHaveCount(0);
  await page.getByRole("tab", { name: "Results" }).click();
  await expect(shown(page, "results-stale")).toBeVisible();
  await expect(page.getByTestId("preview-table")).toHaveCount(0);
});

test("Compile finds a column that does not exist, and where it is, without a preview", async ({ page }) => {
  await newModel(page, `select region,\n  amout\nfrom {{ ref('${DATASET}') }}`);
  await page.getByRole("button", { name: "Compile" }).click();
  const error = shown(page, "compile-error");
  await expect(error).toContainText('column "amout" does not exist');
  await expect(error).toContainText("line 2, column 3");
  await expect(page.getByRole("tab", { name: /Errors/ })).toHaveAttribute("aria-selected", "true");
  await expect(error).toBeInViewport();
  // The editor marks that line.
  await expect(page.getByTestId("sql-error-line")).toContainText("amout");
});

test("a missing comma is reported near the next name, with its line and column", async ({ page }) => {
  await newModel(page, `select order_id\n  region amount\nfrom {{ ref('${DATASET}') }}`);
  await page.getByRole("button", { name: "Compile" }).click();
  const error = shown(page, "compile-error");
  await expect(error).toContainText('near "amount"');
  await expect(error).toContainText("comma");
  await expect(error).toContainText("line 2, column 10");
});

test("completion offers the columns of the referenced dataset, and ref names", async ({ page }) => {
  await newModel(page, `select *\nfrom {{ ref('${DATASET}') }} s\nwhere reg`);
  await page.keyboard.press("Control+Space");
  const options = page.locator(".cm-tooltip-autocomplete");
  await expect(options.getByRole("option", { name: /^region/ })).toBeVisible();
  await page.keyboard.press("Escape");

  // After the alias and a dot: that relation's columns.
  await page.keyboard.type(" and s.am");
  await page.keyboard.press("Control+Space");
  await expect(options.getByRole("option", { name: /^amount/ })).toBeVisible();
  await page.keyboard.press("Escape");

  // Inside ref('…'): the names of models and datasets.
  await typeSql(page, "select * from {{ ref('ed_s");
  await page.keyboard.press("Control+Space");
  await expect(options.getByRole("option", { name: new RegExp(`^${DATASET}`) })).toBeVisible();
});

test("a build whose data test fails is never shown as Succeeded; its failing rows keep the model's column order", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`/models/${TESTED}`);
  await page.getByRole("button", { name: "Build", exact: true }).click();
  await expect(page.getByRole("tab", { name: /Tests/ })).toHaveAttribute("aria-selected", "true");
  const status = shown(page, "build-status");
  await expect(status).toContainText("1 test failed", { timeout: 45_000 });
  await expect(status).not.toContainText(/succeeded/i);
  await expect(status).toBeInViewport();
  await expect(shown(page, "test-result")).toHaveAttribute("data-status", "failed");

  await page.getByText(/Sample of failing rows/).click();
  const headers = page.getByRole("table", { name: /Failing rows of test/ }).getByRole("columnheader");
  await expect(headers).toHaveText(COLUMNS);

  // The models list says the same.
  await page.goto("/models");
  await expect(shown(page, `model-row-${TESTED}`)).toContainText("1 test failed");
  await expect(shown(page, `model-row-${TESTED}`)).not.toContainText("Succeeded");
});

async function paste(input: Locator, text: string) {
  await input.evaluate((el, value) => {
    const data = new DataTransfer();
    data.setData("text/plain", value);
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

test("accepted values: a pasted list becomes one value each, and the column is picked from the model's columns", async ({ page }) => {
  await page.goto(`/models/${TESTED}`);
  const tests = shown(page, "tests-editor");
  await tests.getByRole("button", { name: "Add test" }).click();
  await page.getByRole("menuitem", { name: "Accepted values" }).click();
  const row = tests.getByTestId("test-row").last();

  // The column is a picker of the model's own columns, in order.
  await row.getByRole("combobox", { name: "Column" }).click();
  await expect(page.getByRole("option")).toHaveText(COLUMNS);
  await page.getByRole("option", { name: "paid" }).click();
  await expect(row.getByRole("combobox", { name: "Column" })).toHaveText("paid");

  const input = row.getByRole("textbox", { name: "Accepted values" });
  await paste(input, "true, false,\nmaybe");
  await expect(row.getByTestId("accepted-value")).toHaveText(["true", "false", "maybe"]);
  await input.fill("unknown");
  await input.press("Enter");
  await expect(row.getByTestId("accepted-value")).toHaveText(["true", "false", "maybe", "unknown"]);
  await row.getByRole("button", { name: "Remove value maybe" }).click();
  await expect(row.getByTestId("accepted-value")).toHaveText(["true", "false", "unknown"]);

  await page.getByRole("button", { name: "Save" }).click();
  await expect(shown(page, "save-state")).toContainText("Saved: revision", { timeout: 15_000 });
  const api = await seedApi();
  const { model } = (await (await api.get(`/v1/models/${TESTED}`)).json()) as {
    model: { tests: { type: string; column?: string; values?: string[] }[] };
  };
  await api.dispose();
  expect(model.tests.at(-1)).toMatchObject({ type: "accepted_values", column: "paid", values: ["true", "false", "unknown"] });

  // The list editor, the column picker and each result tab pass axe (10-accessibility sees only the first tab).
  for (const tab of ["Results", "Compiled", "Errors", "Tests"]) {
    await page.getByRole("tab", { name: new RegExp(`^${tab}`) }).click();
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${tab}: ${v.id} ${v.help}`);
    expect(serious, serious.join("\n")).toEqual([]);
  }
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the editor stacks its results below, with no sideways page scroll", async ({ page }) => {
    await page.goto(`/models/${TESTED}`);
    await expect(page.locator(".cm-editor").first()).toBeVisible();
    await noSidewaysScroll(page);
    await page.getByRole("button", { name: "Preview" }).click();
    const table = shown(page, "preview-table");
    await expect(table).toContainText("north");
    await expect(shown(page, "results-pane")).toBeInViewport();
    const editorBox = (await page.locator(".cm-editor").first().boundingBox())!;
    const paneBox = (await shown(page, "results-pane").boundingBox())!;
    expect(paneBox.y).toBeGreaterThan(editorBox.y);
    await noSidewaysScroll(page);
  });
});
