import { expect, test, type Page } from "@playwright/test";
import { shown } from "./locators";
import { seedApi, sessionFile, waitForRun } from "./seed";

test.describe.configure({ mode: "serial" });
// Reading rows is enough for a viewer.
test.use({ storageState: sessionFile("viewer") });

const NAME = "rows_browse";
const ROWS = 12_345;
const CITIES = ["Paris", "Berlin", "Amsterdam", "Lisbon", "Oslo", "Rome", "Madrid"];
const city = (i: number) => CITIES[i % CITIES.length]!;

/** id, a city from seven, an amount (every 100th empty), a day written day-first. */
function generatedCsv(): string {
  const lines = ["id,city,amount,day"];
  for (let i = 1; i <= ROWS; i++) {
    const day = new Date(Date.UTC(2024, 0, 1 + (i % 366)));
    const dmy = `${String(day.getUTCDate()).padStart(2, "0")}/${String(day.getUTCMonth() + 1).padStart(2, "0")}/${day.getUTCFullYear()}`;
    lines.push(`${i},${city(i)},${i % 100 === 0 ? "" : ((i * 7919) % 10000) / 100},${dmy}`);
  }
  return `${lines.join("\n")}\n`;
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const api = await seedApi();
  if ((await api.get(`/v1/datasets/${NAME}`)).status() === 404) {
    const created = await api.post("/v1/datasets/csv", {
      multipart: { name: NAME, file: { name: "rows-browse.csv", mimeType: "text/csv", buffer: Buffer.from(generatedCsv()) } },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { dataset } = (await created.json()) as { dataset: { latestRunId: string | null } };
    expect((await waitForRun(api, dataset.latestRunId!)).status, "the load").toBe("succeeded");
  }
  await api.dispose();
});

const box = (page: Page) => shown(page, "rows-box");
const range = (page: Page) => shown(page, "preview-range");
const headerButton = (page: Page, column: string) => box(page).getByRole("button", { name: `Sort by ${column}`, exact: true });
/** The id column of the first body row. */
const firstId = (page: Page) => box(page).locator("tbody tr").first().locator("td").nth(1);

async function open(page: Page, query = "") {
  await page.goto(`/datasets/${NAME}${query}`);
  await expect(range(page)).toContainText(`of ${ROWS.toLocaleString("en-US")}`, { timeout: 15_000 });
}

test("headers show each column's type (with the written form) and its profile", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page);
  const types = box(page).getByTestId("column-type");
  await expect(types).toHaveText(["bigint", "text", "numeric", "date (DD/MM/YYYY)"]);
  // Profiled in SQL over all 12,345 rows: seven cities, 123 empty amounts.
  const stats = box(page).getByTestId("column-stats");
  await expect(stats.nth(1)).toContainText("7 distinct · 0 empty", { timeout: 15_000 });
  await expect(stats.nth(2)).toContainText(`${Math.floor(ROWS / 100)} empty`);
  await expect(stats.nth(0)).toContainText(`1 – ${ROWS}`);
});

test("a header sorts (with the keyboard too), Back undoes it, and the view is a link", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page);
  await expect(firstId(page)).toHaveText("1");
  await headerButton(page, "city").click();
  // Amsterdam first; among equal cities, file order: id 2 is the first Amsterdam.
  await expect(firstId(page)).toHaveText("2");
  await expect(page).toHaveURL(/sort=city/);
  await headerButton(page, "city").focus();
  await page.keyboard.press("Enter");
  // Descending: Rome, first in file order at id 5.
  await expect(firstId(page)).toHaveText("5");
  await expect(box(page).locator("th[aria-sort=descending]")).toContainText("city");
  await page.goBack();
  await expect(firstId(page)).toHaveText("2");
  await page.goBack();
  await expect(firstId(page)).toHaveText("1");
  // The URL alone brings the view back.
  await open(page, "?sort=amount&dir=desc");
  await expect(box(page).locator("tbody tr").first()).toContainText("99.99");
});

test("a column filter narrows the rows and the total; a wrong value is refused in words", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page);
  const berlin = Array.from({ length: ROWS }, (_, i) => i + 1).filter((i) => city(i) === "Berlin").length;
  await page.getByLabel("Column", { exact: true }).selectOption("city");
  await page.getByLabel("Condition", { exact: true }).selectOption("contains");
  await page.getByLabel("Value", { exact: true }).fill("BER");
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(range(page)).toHaveText(`Rows 1–25 of ${berlin.toLocaleString("en-US")}`);
  const cities = await box(page).locator("tbody tr td:nth-child(3)").allTextContents();
  expect(new Set(cities)).toEqual(new Set(["Berlin"]));
  await expect(page).toHaveURL(/f\.city=contains%3ABER/);

  await page.getByLabel("Column", { exact: true }).selectOption("amount");
  await page.getByLabel("Condition", { exact: true }).selectOption("between");
  await page.getByLabel("From", { exact: true }).fill("1");
  await page.getByLabel("To", { exact: true }).fill("2");
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(shown(page, "active-filters")).toContainText("amount between 1 and 2");
  // Both filters hold: Berlin rows with an amount from 1 to 2.
  await expect
    .poll(async () => {
      // One read of the whole body: per-row locators would wait on rows a re-render removed.
      const cells = await box(page).evaluate((el) =>
        [...el.querySelectorAll("tbody tr")].map((tr) => [tr.children[2]?.textContent, Number(tr.children[3]?.textContent)] as const),
      );
      return cells.length > 0 && cells.every(([c, a]) => c === "Berlin" && a >= 1 && a <= 2);
    })
    .toBe(true);

  await page.getByLabel("Condition", { exact: true }).selectOption("gt");
  await page.getByLabel("Value", { exact: true }).fill("lots");
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(shown(page, "rows-error")).toContainText('"lots" is not a number (column "amount")');
  await page.getByRole("button", { name: "Show all rows" }).click();
  await expect(range(page)).toHaveText(`Rows 1–25 of ${ROWS.toLocaleString("en-US")}`);
});

test("page jump, first/last/next, and a 10,000-row page", async ({ page }) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page);
  const pageBox = page.getByLabel("Page", { exact: true });
  await pageBox.fill("100");
  await pageBox.press("Enter");
  await expect(range(page)).toHaveText(`Rows 2,476–2,500 of ${ROWS.toLocaleString("en-US")}`);
  await expect(firstId(page)).toHaveText("2476");
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(firstId(page)).toHaveText("2501");
  await page.getByRole("button", { name: "Last page" }).click();
  await expect(firstId(page)).toHaveText("12326");
  await page.getByRole("button", { name: "First page" }).click();
  await expect(firstId(page)).toHaveText("1");

  // The whole path a user waits on: the request, the JSON and the render of 10,000 rows.
  const fetchOnly = await page.evaluate(
    async (url) => {
      const t0 = performance.now();
      await (await fetch(url)).json();
      return performance.now() - t0;
    },
    `/api/datasets/${await datasetId(page)}/rows?size=10000`,
  );
  // Timed in the page, from the change: the first rows of the new page painted, then all 10,000.
  const painted = page.evaluate(
    () =>
      new Promise<{ first: number; all: number }>((resolve) => {
        const t0 = performance.now();
        const body = () => document.querySelector('[data-testid="rows-box"] tbody');
        const afterPaint = () =>
          new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))));
        let first: Promise<number> | null = null;
        const check = () => {
          const n = body()?.children.length ?? 0;
          // One frame for the first rows: the component's own frame callback (registered at its
          // commit, before this one) starts the long render right after that frame paints.
          if (!first && n > 25) first = new Promise((r) => requestAnimationFrame(() => r(performance.now() - t0)));
          if (n >= 10_000) void afterPaint().then(async (all) => resolve({ first: await first!, all }));
          else setTimeout(check, 5);
        };
        check();
      }),
  );
  await page.getByLabel("Rows per page").selectOption("10000");
  const timing = await painted;
  const [first, total] = [Math.round(timing.first), Math.round(timing.all)];
  await expect(range(page)).toHaveText(`Rows 1–10,000 of ${ROWS.toLocaleString("en-US")}`);
  await expect(box(page).locator("tbody tr")).toHaveCount(10_000);
  test.info().annotations.push({
    type: "10k-page",
    description: `change to first rows painted: ${first} ms, to all 10,000: ${total} ms; the request alone: ${Math.round(fetchOnly)} ms`,
  });
  console.log(
    `10k-row page: first rows painted ${first} ms, all 10,000 ${total} ms after the change (the request alone ${Math.round(fetchOnly)} ms)`,
  );
  // Timings are printed, not asserted: speed goals live in `npm run bench`, and a 2-core CI
  // machine under load painted the first rows in 1.2 s once (78 ms here when idle).
  await box(page).locator("tbody tr").last().scrollIntoViewIfNeeded();
  await expect(box(page).locator("tbody tr").last().locator("td").nth(1)).toHaveText("10000");
});

test("at 390×844 the rows scroll inside their own box, never the page", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page);
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.view);
  const inner = await box(page).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(inner.scroll).toBeGreaterThan(inner.client);
  // The box takes the keyboard: focused, arrow keys scroll it sideways.
  await box(page).focus();
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => box(page).evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
});

async function datasetId(page: Page): Promise<string> {
  const res = await page.request.get(`/v1/datasets/${NAME}`);
  return ((await res.json()) as { dataset: { id: string } }).dataset.id;
}
