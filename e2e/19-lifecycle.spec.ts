import { expect, test, type APIRequestContext } from "@playwright/test";
import { shown } from "./locators";
import { CSV_HOST } from "./helpers";
import { ensureDataset, ensureModel, seedApi, sessionFile, waitForRun } from "./seed";

/**
 * Lifecycle (issue #18 item 8): deleting a pipeline from its page, the delete dialogs naming what
 * depends on the thing, and removing datasets that failed and never loaded, in bulk. Everything is
 * seeded through /v1; the deletes are done as an editor, the least role allowed to.
 */
test.describe.configure({ mode: "serial" });
test.use({ storageState: sessionFile("editor") });

const DATASET = "lifecycle_sales";
const READER = "lifecycle_by_region";
const PIPELINE = "lifecycle doomed";
/** Both point at a file the CSV stand-in does not serve (404): their first load fails. */
const BROKEN = ["lifecycle_broken_a", "lifecycle_broken_b"];

let api: APIRequestContext;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  api = await seedApi();
  await ensureDataset(api, DATASET, "sales.csv");
  await ensureModel(api, READER, `select region, sum(amount) as total from {{ ref('${DATASET}') }} group by region`);
});

test.afterAll(async () => {
  await api.dispose();
});

async function datasetId(name: string): Promise<string> {
  const res = await api.get(`/v1/datasets/${name}`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { dataset: { id: string } }).dataset.id;
}

/** The extra pipeline (made when missing), after one forced run of it has ended. */
async function pipelineWithARun(): Promise<{ id: string; runs: number }> {
  const { pipelines } = (await (await api.get("/v1/pipelines")).json()) as { pipelines: { id: string; name: string }[] };
  let id = pipelines.find((p) => p.name === PIPELINE)?.id;
  if (!id) {
    const created = await api.post("/v1/pipelines", {
      // Paused: its weekly schedule never fires during the suite; the dialog still names it.
      data: { name: PIPELINE, datasetId: await datasetId(DATASET), scheduleCron: "0 6 * * 1", scheduleTimezone: "UTC", paused: true },
    });
    expect(created.status(), await created.text()).toBe(201);
    id = ((await created.json()) as { pipeline: { id: string } }).pipeline.id;
  }
  const started = await api.post("/v1/pipelines/run", { data: { pipelineId: id, force: true } });
  expect(started.status(), await started.text()).toBe(202);
  await waitForRun(api, ((await started.json()) as { run: { id: string } }).run.id);
  const { runs } = (await (await api.get(`/v1/runs?pipelineId=${id}&limit=100`)).json()) as { runs: unknown[] };
  return { id, runs: runs.length };
}

test("delete a pipeline from its page after the confirmation shows its run count", async ({ page }) => {
  test.setTimeout(120_000);
  const { id, runs } = await pipelineWithARun();
  expect(runs).toBeGreaterThanOrEqual(1);

  await page.goto(`/pipelines/${id}`);
  await shown(page, "delete-pipeline").first().click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("consequence-runs")).toContainText(runs === 1 ? "Its 1 run is deleted" : `Its ${runs} runs are deleted`);
  await expect(dialog.getByTestId("consequence-schedule")).toContainText("Its schedule");
  await dialog.getByTestId("confirm-delete-pipeline").click();

  await expect(page).toHaveURL(/\/pipelines\?deleted=/, { timeout: 15_000 });
  await expect(shown(page, "pipeline-deleted").first()).toContainText(PIPELINE);
  await expect(page.locator(`[data-testid="pipeline-row"][data-pipeline-id="${id}"]`)).toHaveCount(0);
  expect((await api.get(`/v1/pipelines/${id}`)).status()).toBe(404);
  const { runs: left } = (await (await api.get(`/v1/runs?pipelineId=${id}`)).json()) as { runs: unknown[] };
  expect(left).toEqual([]);
});

test("a dataset's own pipeline cannot be deleted on its own, and the page says why", async ({ page }) => {
  const { pipelines } = (await (await api.get("/v1/pipelines")).json()) as {
    pipelines: { id: string; name: string; isDefault: boolean }[];
  };
  const own = pipelines.find((p) => p.name === DATASET && p.isDefault);
  expect(own, "the dataset's default pipeline").toBeTruthy();
  await page.goto(`/pipelines/${own!.id}`);
  await expect(shown(page, "delete-pipeline").first()).toBeDisabled();
  await expect(shown(page, "delete-pipeline-note").first()).toContainText("delete the dataset");
});

test("the dataset delete dialog names the model that reads it and the pipeline that goes with it", async ({ page }) => {
  await page.goto(`/datasets/${DATASET}`);
  const trigger = page.getByRole("button", { name: "Delete", exact: true });
  // Disabled only while a load runs.
  await expect(trigger).toBeEnabled({ timeout: 30_000 });
  await trigger.click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("consequence-models")).toContainText(READER);
  await expect(dialog.getByTestId("consequence-models")).toContainText("fail");
  await expect(dialog.getByTestId("consequence-pipelines")).toContainText(DATASET);
  await expect(dialog.getByTestId("consequence-versions")).toContainText(/stored version/);
  // Only looking: nothing is deleted.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await api.get(`/v1/datasets/${DATASET}`)).status()).toBe(200);
});

test("datasets that failed and never loaded are removed in bulk after a confirmation that lists them", async ({ page }) => {
  test.setTimeout(120_000);
  for (const name of BROKEN) {
    const created = await api.post("/v1/datasets/csv", { data: { name, csvUrl: `${CSV_HOST}/lifecycle-missing.csv` } });
    // 409: left by an earlier, interrupted run of this spec; it failed the same way.
    expect([201, 409], await created.text()).toContain(created.status());
  }
  for (const name of BROKEN) {
    await expect
      .poll(async () => ((await (await api.get(`/v1/datasets/${name}`)).json()) as { dataset: { status: string } }).dataset.status, {
        timeout: 60_000,
        message: `the first load of ${name} fails`,
      })
      .toBe("failed");
  }

  await page.goto("/datasets");
  const offer = shown(page, "remove-failed-datasets").first();
  await expect(offer).toHaveText(/Remove \d+ failed datasets?/);
  await offer.click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toBeVisible();
  // Earlier specs may have left failed datasets too: the list holds at least ours.
  for (const name of BROKEN) await expect(dialog.getByTestId("failed-datasets-list")).toContainText(name);
  await expect(dialog.getByTestId("failed-datasets-list")).not.toContainText(DATASET);
  await dialog.getByTestId("confirm-remove-failed").click();

  const result = shown(page, "failed-cleanup-result").first();
  await expect(result).toBeVisible({ timeout: 30_000 });
  await expect(result).toContainText(/Removed \d+ failed datasets?/);
  for (const name of BROKEN) await expect(result).toContainText(name);
  await expect(dialog).toBeHidden();
  const table = shown(page, "datasets-table").first();
  for (const name of BROKEN) {
    await expect(table.getByRole("link", { name, exact: true })).toHaveCount(0);
    expect((await api.get(`/v1/datasets/${name}`)).status()).toBe(404);
  }
  // The loaded dataset was never offered and is still there.
  await expect(table.getByRole("link", { name: DATASET, exact: true })).toBeVisible();
});
