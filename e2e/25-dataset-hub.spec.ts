import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { shown } from "./locators";
import { embeddedAdminSql } from "./helpers";
import { ensureDataset, ensureModel, seedApi, sessionFile } from "./seed";

// Issue #18 (5): the dataset page tells one story while a load runs, and leads somewhere after it:
// its pipelines, recent runs, the models built on it, a new model from it, a Slack delivery of it.
test.use({ storageState: sessionFile("editor") });

const DATASET = "hub_sales";
const DIRECT = "hub_by_region";
const INDIRECT = "hub_top_region";
const PIPELINE = "hub sales every morning";

async function datasetId(api: APIRequestContext, name: string): Promise<string> {
  const res = await api.get(`/v1/datasets/${name}`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { dataset: { id: string } }).dataset.id;
}

// A loaded dataset (its default pipeline ran once), a model reading it, one reading that model,
// and a second, scheduled pipeline for it.
test.beforeAll(async () => {
  test.setTimeout(150_000);
  const api = await seedApi();
  await ensureDataset(api, DATASET, "sales.csv");
  await ensureModel(api, DIRECT, `select region, count(*) as orders from {{ ref('${DATASET}') }} group by region`);
  await ensureModel(api, INDIRECT, `select region from {{ ref('${DIRECT}') }} order by orders desc limit 1`);
  const { pipelines } = (await (await api.get("/v1/pipelines")).json()) as { pipelines: { name: string }[] };
  if (!pipelines.some((p) => p.name === PIPELINE)) {
    const created = await api.post("/v1/pipelines", {
      data: { name: PIPELINE, datasetId: await datasetId(api, DATASET), scheduleCron: "0 7 * * *", scheduleTimezone: "UTC" },
    });
    expect(created.status(), await created.text()).toBe(201);
  }
  await api.dispose();
});

/** About 7 MB: the load takes long enough for the hold below to be in place before it ends. */
const ROWS = 200_000;

/** A CSV of `rows` rows. */
function bigCsv(rows: number): Buffer {
  const lines = ["id,city,amount,day"];
  for (let i = 1; i <= rows; i++)
    lines.push(`${i},city ${i % 97},${(i * 7) % 1000}.${i % 100},2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
  return Buffer.from(lines.join("\n") + "\n");
}

type Sample = { panel: string; status: string; lastLoaded: string; rows: string; schemaTable: boolean; schemaPending: boolean };

/** The panel, the header and the schema read in one go, from the visible page only. */
function sample(page: Page): Promise<Sample> {
  return page.evaluate(() => {
    const visible = (id: string) =>
      [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)].find(
        (el) => !el.closest("[hidden]") && el.offsetParent !== null,
      ) ?? null;
    const text = (id: string) => visible(id)?.textContent?.trim() ?? "";
    return {
      panel: text("load-status"),
      status: text("dataset-status"),
      lastLoaded: text("dataset-last-loaded"),
      rows: text("dataset-row-count"),
      schemaTable: visible("schema-table") !== null,
      schemaPending: visible("schema-pending") !== null,
    };
  });
}

test("after an upload the header, schema and load panel never contradict, and the schema appears without a reload", async ({ page }) => {
  test.setTimeout(120_000);
  const name = `hub_upload_${Date.now().toString(36)}`;
  // The load must still be running when the page opens, whatever this machine's speed: as soon as
  // the upload is answered, a transaction locks the new version's row, which the load updates
  // last (its row count), and keeps it until the page has been seen mid-load. Without the hold a
  // CI run once saw a 2 MB load finish before the dataset page's first paint.
  const sql = embeddedAdminSql();
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let hold: Promise<unknown> | undefined;
  await page.route("**/v1/datasets/csv", async (route) => {
    const response = await route.fetch();
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    hold = sql.begin(async (tx) => {
      await tx`select v.id from relayboard.dataset_versions v join relayboard.datasets d on d.id = v.dataset_id
               where d.name = ${name} for update of v`;
      locked();
      await released;
    });
    hold.catch(locked);
    await isLocked;
    await route.fulfill({ response });
  });

  try {
    await page.goto("/datasets/new");
    await page.getByRole("tab", { name: "Upload a file" }).click();
    await page.locator('input[type="file"]').setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: bigCsv(ROWS) });
    await expect(shown(page, "file-preview")).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByRole("button", { name: "Upload and load" }).click();
    await expect(page).toHaveURL(new RegExp(`/datasets/${name}$`), { timeout: 30_000 });
    // A full reload would drop this; router.refresh keeps it.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const samples: Sample[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await sample(page);
      samples.push(s);
      // A few looks at the page mid-load, then the load may end.
      if (samples.filter((x) => /queued|running/i.test(x.panel)).length >= 3) release();
      if (/succeeded/i.test(s.panel) && s.schemaTable) break;
      if (Date.now() > deadline) throw new Error(`the load did not finish on the page: ${JSON.stringify(s)}`);
      await page.waitForTimeout(50);
    }
    for (const s of samples) {
      if (/succeeded/i.test(s.panel)) {
        expect(s.status, JSON.stringify(s)).not.toMatch(/queued|not loaded/i);
        expect(s.lastLoaded, JSON.stringify(s)).not.toBe("Never");
        expect(s.schemaTable, JSON.stringify(s)).toBe(true);
        expect(s.rows, JSON.stringify(s)).toBe(ROWS.toLocaleString("en-US"));
      }
      if (/queued|running/i.test(s.panel)) {
        // While it loads, nothing claims it is done.
        expect(s.status, JSON.stringify(s)).not.toMatch(/ready/i);
        expect(s.schemaPending, JSON.stringify(s)).toBe(true);
      }
    }
    expect(samples.filter((s) => /queued|running/i.test(s.panel)).length, "the page was seen mid-load").toBeGreaterThanOrEqual(3);
    const last = samples.at(-1)!;
    expect(last.status).toMatch(/ready/i);
    await expect(shown(page, "schema-table")).toContainText("amount");
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    // The run the upload started is among the recent runs.
    await expect(shown(page, "hub-runs-table").getByTestId("run-row").first()).toBeVisible({ timeout: 15_000 });
  } finally {
    release();
    await hold?.catch(() => {});
    await sql.end();
  }
});

test("the hub lists the dataset's pipelines, its models (direct and indirect) and its recent runs", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/datasets/${DATASET}`);

  const pipelines = shown(page, "hub-pipelines");
  const scheduled = pipelines.getByTestId("hub-pipeline").filter({ hasText: PIPELINE });
  await expect(scheduled).toBeVisible();
  await expect(scheduled).toContainText(/Next in/);
  await expect(scheduled.getByRole("link", { name: PIPELINE })).toHaveAttribute("href", /\/pipelines\/[0-9a-f-]{36}$/);
  // Its own pipeline ran when the dataset was loaded: its last run is shown and opens.
  const own = pipelines.getByTestId("hub-pipeline").filter({ hasText: "Default" });
  await expect(own.getByTestId("hub-pipeline-last-run").getByRole("link")).toHaveAttribute("href", /\/runs\/[0-9a-f-]{36}$/);

  const models = shown(page, "hub-models");
  await expect(models.locator(`[data-model="${DIRECT}"]`)).toContainText("Reads this dataset");
  await expect(models.locator(`[data-model="${INDIRECT}"]`)).toContainText("Reads a model built on it");
  await models.getByRole("link", { name: INDIRECT }).click({ timeout: 10_000 });
  await expect(page).toHaveURL(new RegExp(`/models/${INDIRECT}$`));

  await page.goto(`/datasets/${DATASET}`);
  const runs = shown(page, "hub-runs-table");
  await expect(runs.getByTestId("run-row").first()).toBeVisible();
  // The link's visible part is its time (a screen-reader prefix sits outside its box).
  await runs
    .getByTestId("run-row")
    .first()
    .getByRole("link", { name: /^Run from/ })
    .locator("time")
    .click({ timeout: 10_000 });
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);

  await page.goto(`/datasets/${DATASET}`);
  await expect(shown(page, "dataset-lineage-link")).toHaveAttribute(
    "href",
    `/models/lineage?focus=${encodeURIComponent(`dataset:${DATASET}`)}`,
  );
});

test("New model from this dataset opens the editor with a ref to it", async ({ page }) => {
  await page.goto(`/datasets/${DATASET}`);
  await shown(page, "hub-models").getByRole("link", { name: "New model from this dataset" }).click();
  await expect(page).toHaveURL(new RegExp(`/models/new\\?ref=${DATASET}$`));
  await expect(page.locator(".cm-content").first()).toContainText(`select * from {{ ref('${DATASET}') }}`, { timeout: 10_000 });
});

test("a ref that names nothing is not put in the editor", async ({ page }) => {
  await page.goto("/models/new?ref=no_such_dataset");
  await expect(page.locator(".cm-content").first()).toContainText("ref('')");
  await expect(page.locator(".cm-content").first()).not.toContainText("no_such_dataset");
});

test("Deliver this dataset to Slack opens the pipeline form with the dataset chosen", async ({ page }) => {
  await page.goto(`/datasets/${DATASET}`);
  await shown(page, "hub-pipelines").getByRole("link", { name: "Deliver this dataset to Slack" }).click();
  await expect(page).toHaveURL(/\/pipelines\/new\?dataset=[0-9a-f-]{36}$/);
  const select = page.getByLabel("Dataset");
  await expect(select.locator("option:checked")).toHaveText(DATASET);
});

test.describe("as a viewer", () => {
  test.use({ storageState: sessionFile("viewer") });

  test("the lists are there, the create actions are not", async ({ page }) => {
    await page.goto(`/datasets/${DATASET}`);
    await expect(shown(page, "hub-pipelines").getByTestId("hub-pipeline").filter({ hasText: PIPELINE })).toBeVisible();
    await expect(shown(page, "hub-models").locator(`[data-model="${DIRECT}"]`)).toBeVisible();
    await expect(page.getByRole("link", { name: "New model from this dataset" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Deliver this dataset to Slack" })).toHaveCount(0);
  });
});

test("at 390×844 the dataset page does not scroll sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/datasets/${DATASET}`);
  await expect(shown(page, "hub-models")).toBeVisible();
  await expect(shown(page, "hub-runs")).toBeVisible();
  const sizes = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(sizes.scrollWidth, `page is ${sizes.scrollWidth}px wide in a ${sizes.clientWidth}px viewport`).toBeLessThanOrEqual(
    sizes.clientWidth,
  );
});
