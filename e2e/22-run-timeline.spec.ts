import { expect, test, type Locator } from "@playwright/test";
import { shown } from "./locators";
import { ensureDataset, ensureModel, seedApi, sessionFile, waitForRun } from "./seed";

test.describe.configure({ mode: "serial" });
// Reading a run is enough for a viewer.
test.use({ storageState: sessionFile("viewer") });

const STEPS = ["fetch", "load", "transform", "test", "deliver"];
let okRunId = "";
let failedRunId = "";

// One dataset with a model that builds; a run that succeeds, then a model that divides by zero
// (as e2e/09 does) and a run that fails in its transform step.
test.beforeAll(async () => {
  test.setTimeout(180_000);
  const api = await seedApi();
  await ensureDataset(api, "tl_sales", "sales.csv");
  // A rerun of this spec starts without the failing model.
  expect([204, 404]).toContain((await api.delete("/v1/models/tl_bad")).status());
  await ensureModel(api, "tl_ok", "select order_id, amount from {{ ref('tl_sales') }}");
  const runNow = async () => {
    const res = await api.post("/v1/pipelines/run", { data: { datasetName: "tl_sales", force: true } });
    expect(res.ok(), await res.text()).toBe(true);
    return ((await res.json()) as { run: { id: string } }).run.id;
  };

  okRunId = await runNow();
  expect((await waitForRun(api, okRunId, 60_000)).status).toBe("succeeded");

  const put = await api.put("/v1/models/tl_bad", {
    data: { sql: "select order_id, amount / (order_id - order_id) as ratio from {{ ref('tl_sales') }}", materialization: "table" },
  });
  expect(put.status(), await put.text()).toBe(201);
  failedRunId = await runNow();
  expect((await waitForRun(api, failedRunId, 60_000)).status).toBe("failed");
  // Other specs' runs of this dataset should not trip over it.
  expect((await api.delete("/v1/models/tl_bad")).status()).toBe(204);
  await api.dispose();
});

async function readBars(timeline: Locator) {
  const bars = timeline.getByTestId("timeline-step");
  const out: { step: string; status: string; placed: boolean; offset: number; x: number }[] = [];
  for (const bar of await bars.all()) {
    const box = await bar.boundingBox();
    out.push({
      step: (await bar.getAttribute("data-step")) ?? "",
      status: (await bar.getAttribute("data-status")) ?? "",
      placed: (await bar.getAttribute("data-placed")) === "true",
      offset: Number(await bar.getAttribute("data-offset-ms")),
      x: box?.x ?? -1,
    });
  }
  return out;
}

test("the timeline shows a bar per step, in order, each starting after the one before", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/runs/${okRunId}`);
  const timeline = shown(page, "run-timeline").first();
  await expect(timeline).toBeVisible({ timeout: 15_000 });
  await expect(timeline.getByTestId("timeline-step")).toHaveCount(STEPS.length);

  const bars = await readBars(timeline);
  expect(bars.map((b) => b.step)).toEqual(STEPS);
  // Steps that ran are placed; a step may be skipped when there is nothing for it to do.
  for (const bar of bars) expect(bar.status, bar.step).toMatch(/succeeded|skipped/);
  const placed = bars.filter((b) => b.placed);
  expect(placed.map((b) => b.step).slice(0, 3)).toEqual(["fetch", "load", "transform"]);
  for (let i = 1; i < placed.length; i++) {
    expect(placed[i]!.offset, `${placed[i]!.step} starts after ${placed[i - 1]!.step}`).toBeGreaterThan(placed[i - 1]!.offset);
    expect(placed[i]!.x, `${placed[i]!.step} is drawn right of ${placed[i - 1]!.step}`).toBeGreaterThanOrEqual(placed[i - 1]!.x);
  }
  // Each bar says what it is to a screen reader.
  await expect(timeline.getByRole("img", { name: /^Load: succeeded, .+ started .+ after fetch ended$/ })).toBeVisible();
});

test("a failed step is drawn as failed, and the Errors filter leaves only the error lines", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/runs/${failedRunId}`);
  const timeline = shown(page, "run-timeline").first();
  await expect(timeline).toBeVisible({ timeout: 15_000 });
  await expect(timeline.locator('[data-testid="timeline-step"][data-step="transform"]')).toHaveAttribute("data-status", "failed");
  await expect(timeline.locator('[data-testid="timeline-step"][data-step="deliver"]')).toHaveAttribute("data-status", "skipped");

  // The failed step's log is open, whole: an info line for the model that built, an error for the one that did not.
  const step = shown(page, "step-transform").first();
  await expect(step.locator('[data-testid="step-log"][data-level="info"]').first()).toBeVisible();
  await expect(step.locator('[data-testid="step-log"][data-level="error"]')).toContainText(/tl_bad|division by zero/);

  // Keyboard: the filter is one radio group; the arrow keys move from All to Errors.
  await step.getByRole("radio", { name: /^All/ }).focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  await expect(step.getByRole("radio", { name: /^Errors/ })).toBeChecked();
  await expect(step.locator('[data-testid="step-log"][data-level="info"]')).toHaveCount(0);
  await expect(step.locator('[data-testid="step-log"][data-level="error"]').first()).toBeVisible();
  await expect(step.locator('[data-testid="step-log"][data-level="error"]').first()).toContainText(/tl_bad|division by zero/);

  // Back to everything with a click.
  await step.locator("label").filter({ hasText: /^All/ }).click();
  await expect(step.locator('[data-testid="step-log"][data-level="info"]').first()).toBeVisible();
});

test("at 390×844 the timeline fits without scrolling the page sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/runs/${failedRunId}`);
  const timeline = shown(page, "run-timeline").first();
  await expect(timeline).toBeVisible({ timeout: 15_000 });
  await expect(timeline.getByTestId("timeline-step")).toHaveCount(STEPS.length);
  const sizes = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(sizes.scrollWidth, `page is ${sizes.scrollWidth}px wide in a ${sizes.clientWidth}px viewport`).toBeLessThanOrEqual(
    sizes.clientWidth,
  );
  const box = await timeline.boundingBox();
  expect(box, "timeline has a box").not.toBeNull();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
});

test("on the dashboard's runs chart a failed run has its own colour, and its bar opens the run", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/");
  const chart = shown(page, "runs-chart").first();
  await expect(chart).toBeVisible({ timeout: 15_000 });
  const failedBar = chart.locator('.recharts-bar-rectangle path[data-state="failed"]').last();
  // The run this spec made first ended succeeded, or succeeded with warnings (no channel to deliver to).
  const okBar = chart.locator('.recharts-bar-rectangle path[data-state^="succeeded"]').last();
  await expect(failedBar).toBeVisible();
  await expect(okBar).toBeVisible();
  expect(await failedBar.getAttribute("fill")).not.toBe(await okBar.getAttribute("fill"));

  await failedBar.click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(shown(page, "run-status").first()).toContainText("Failed");
});
