import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { SLACK_SINK } from "./helpers";
import { shown } from "./locators";
import { ensureDataset, seedApi, sessionFile } from "./seed";

/**
 * Lineage at scale (issue #18 item 4): a graph of ~45 nodes opens focused on one node with n levels
 * up and down, the depth can be changed, a keyboard search refocuses it, pipelines and Slack
 * channels are its end nodes, and selecting a node dims what is not on its path. Seeded through /v1:
 * two datasets, a chain of 25 models off one, a branch off the chain, 10 models off the other, and
 * a pipeline that delivers the chain's last model to a channel.
 */
test.use({ storageState: sessionFile("viewer"), viewport: { width: 1280, height: 800 } });

const ORDERS = "lin_orders";
const CUSTOMERS = "lin_customers";
const chain = (i: number) => `lin_c${String(i).padStart(2, "0")}`;
const CHAIN_LENGTH = 25;
const SIDE = Array.from({ length: 10 }, (_, i) => `lin_s${String(i + 1).padStart(2, "0")}`);
const BRANCH = "lin_branch";
const PIPELINE = "lin alerts";
const CHANNEL = "lineage alerts";
let pipelineId: string;

async function putModel(api: APIRequestContext, name: string, sql: string) {
  const res = await api.put(`/v1/models/${name}`, { data: { sql } });
  expect([200, 201], `${name}: ${await res.text()}`).toContain(res.status());
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const api = await seedApi();
  await ensureDataset(api, ORDERS, "sales.csv");
  await ensureDataset(api, CUSTOMERS, "sales.csv");
  // Saved, not built: the lineage is drawn from the SQL's refs.
  for (let i = 1; i <= CHAIN_LENGTH; i++) await putModel(api, chain(i), `select * from {{ ref('${i === 1 ? ORDERS : chain(i - 1)}') }}`);
  await putModel(api, BRANCH, `select * from {{ ref('${chain(11)}') }}`);
  for (const name of SIDE) await putModel(api, name, `select * from {{ ref('${CUSTOMERS}') }}`);

  const listed = async () => ((await (await api.get("/v1/pipelines")).json()) as { pipelines: { id: string; name: string }[] }).pipelines;
  if (!(await listed()).some((p) => p.name === PIPELINE)) {
    const channel = await api.post("/v1/destinations/slack", {
      data: { name: CHANNEL, webhookUrl: `${SLACK_SINK}/services/TE2E/BLIN/lineageSeedSecret` },
    });
    expect(channel.status(), await channel.text()).toBe(201);
    const destinationId = ((await channel.json()) as { destination: { id: string } }).destination.id;
    const dataset = (await (await api.get(`/v1/datasets/${ORDERS}`)).json()) as { dataset: { id: string } };
    const created = await api.post("/v1/pipelines", {
      data: {
        name: PIPELINE,
        datasetId: dataset.dataset.id,
        paused: true,
        deliveries: [{ destinationId, condition: "always", template: { text: "Latest", table: { model: chain(CHAIN_LENGTH), limit: 5 } } }],
      },
    });
    expect(created.status(), await created.text()).toBe(201);
  }
  pipelineId = (await listed()).find((p) => p.name === PIPELINE)!.id;
  await api.dispose();
});

function graphOf(page: Page): Locator {
  return page.getByRole("group", { name: "Graph" });
}

function node(page: Page, id: string): Locator {
  return graphOf(page).locator(`[data-node-id="${id}"]`);
}

test("opens focused with 2 levels up and down, more when the depth grows", async ({ page }) => {
  await page.goto(`/models/lineage?focus=model:${chain(12)}`);
  await expect(node(page, `model:${chain(12)}`)).toHaveAttribute("data-focused", "true");
  for (const i of [10, 11, 13, 14]) await expect(node(page, `model:${chain(i)}`)).toBeVisible();
  await expect(node(page, `model:${chain(11)}`)).toHaveAttribute("data-level", "-1");
  await expect(node(page, `model:${chain(14)}`)).toHaveAttribute("data-level", "2");
  // Beyond two levels, and off the focus's path: not drawn.
  for (const far of [`model:${chain(9)}`, `model:${chain(15)}`, `dataset:${ORDERS}`, `model:${BRANCH}`, `model:${SIDE[0]}`])
    await expect(node(page, far)).toHaveCount(0);
  // The edge of what is shown says there is more.
  await expect(node(page, `model:${chain(14)}`).getByTestId("lineage-more-downstream")).toBeVisible();
  // Readable: fitted, yet names are drawn at no less than ~60% of their size (14 px text, 20 px lines).
  const name = await node(page, `model:${chain(12)}`)
    .getByText(chain(12), { exact: true })
    .boundingBox();
  expect(name!.height).toBeGreaterThanOrEqual(11.5);
  await expect(node(page, `model:${chain(12)}`)).toBeInViewport();
  await expect(node(page, `model:${chain(14)}`)).toBeInViewport();

  await page.getByLabel("Levels up and down").selectOption("4");
  await expect(page).toHaveURL(/depth=4/);
  for (const i of [8, 9, 15, 16]) await expect(node(page, `model:${chain(i)}`)).toBeVisible();
  await expect(node(page, `model:${chain(17)}`)).toHaveCount(0);

  await page.getByLabel("Levels up and down").selectOption("all");
  await expect(node(page, `dataset:${ORDERS}`)).toBeVisible();
  await expect(node(page, `model:${chain(CHAIN_LENGTH)}`)).toHaveCount(1);
  // Everything connected, still not the other dataset's models.
  await expect(node(page, `model:${SIDE[0]}`)).toHaveCount(0);
});

test("without a focus the whole graph opens at a readable size, never an empty canvas", async ({ page }) => {
  await page.goto("/models/lineage");
  const canvas = graphOf(page);
  await expect(canvas.locator("[data-node-id]").first()).toBeAttached();
  // Nodes drawn inside the canvas's box, at no less than ~60% of their size.
  const inside = await canvas.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return [...el.querySelectorAll("[data-node-id]")]
      .map((n) => n.getBoundingClientRect())
      .filter((r) => r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom)
      .map((r) => r.height);
  });
  expect(inside.length).toBeGreaterThan(2);
  expect(Math.min(...inside)).toBeGreaterThanOrEqual(56 * 0.6 - 0.5);
});

test("a search by keyboard dims what does not match, then refocuses on the pick", async ({ page }) => {
  await page.goto(`/models/lineage?focus=model:${chain(20)}&depth=3`);
  await expect(node(page, `model:${chain(20)}`)).toHaveAttribute("data-focused", "true");
  const search = page.getByRole("combobox", { name: "Find a node" });
  await search.click();
  await search.pressSequentially("lin_c2");
  // While typing: chain(17..19) do not match "lin_c2", chain(20..23) do.
  await expect(node(page, `model:${chain(18)}`)).toHaveAttribute("data-dimmed", "true");
  await expect(node(page, `model:${chain(21)}`)).toHaveAttribute("data-dimmed", "false");
  const list = page.getByRole("listbox", { name: "Matching nodes" });
  await expect(list.getByRole("option").first()).toContainText(chain(20));
  // lin_c20, lin_c21, … in order: four steps down is lin_c24.
  for (let i = 0; i < 4; i++) await search.press("ArrowDown");
  await expect(list.getByRole("option", { selected: true })).toContainText(chain(24));
  await search.press("Enter");

  await expect(page).toHaveURL(new RegExp(`focus=model%3A${chain(24)}`));
  await expect(node(page, `model:${chain(24)}`)).toHaveAttribute("data-focused", "true");
  await expect(search).toHaveValue("");
  await expect(node(page, `model:${chain(18)}`)).toHaveCount(0);
  await expect(node(page, `model:${chain(21)}`)).toBeVisible();
  await expect(graphOf(page).locator('[data-dimmed="true"]')).toHaveCount(0);
});

test("pipelines and their Slack channels are the end nodes downstream of the model", async ({ page }) => {
  await page.goto(`/models/lineage?focus=model:${chain(CHAIN_LENGTH)}`);
  const pipeline = node(page, `pipeline:${PIPELINE}`);
  const channel = node(page, `destination:${CHANNEL}`);
  await expect(pipeline).toHaveAttribute("data-level", "1");
  await expect(channel).toHaveAttribute("data-level", "2");
  await expect(pipeline).toContainText("pipeline");
  await expect(channel).toContainText("Slack channel");
  // The channel shows its name only: no webhook, not even its host.
  await expect(graphOf(page)).not.toContainText("127.0.0.1");
  expect(await page.content()).not.toContain("lineageSeedSecret");
  // Its own page is one link away.
  await channel.getByRole("link", { name: `Open Slack channel ${CHANNEL}` }).click();
  await expect(page).toHaveURL(/\/destinations\/[0-9a-f-]{36}$/);
});

test("selecting a node highlights its path and dims the rest; the links open pages", async ({ page }) => {
  await page.goto(`/models/lineage?focus=model:${chain(11)}&depth=1`);
  await expect(node(page, `model:${BRANCH}`)).toBeVisible();
  const select = (id: string) => node(page, id).getByRole("button");

  await select(`model:${chain(12)}`).click();
  await expect(select(`model:${chain(12)}`)).toHaveAttribute("aria-pressed", "true");
  await expect(node(page, `model:${BRANCH}`)).toHaveAttribute("data-dimmed", "true");
  for (const on of [10, 11, 12]) await expect(node(page, `model:${chain(on)}`)).toHaveAttribute("data-dimmed", "false");
  await expect(shown(page, "lineage-selection")).toContainText(chain(12));

  // By keyboard: Escape clears, Space selects another.
  await page.keyboard.press("Escape");
  await expect(graphOf(page).locator('[data-dimmed="true"]')).toHaveCount(0);
  await select(`model:${BRANCH}`).focus();
  await page.keyboard.press("Space");
  await expect(node(page, `model:${chain(12)}`)).toHaveAttribute("data-dimmed", "true");
  await expect(node(page, `model:${chain(10)}`)).toHaveAttribute("data-dimmed", "false");

  // "Focus here" makes the selection the focus.
  await page.getByRole("button", { name: "Focus here" }).click();
  await expect(node(page, `model:${BRANCH}`)).toHaveAttribute("data-focused", "true");

  await node(page, `model:${BRANCH}`)
    .getByRole("link", { name: `Open model ${BRANCH}` })
    .click();
  await expect(page).toHaveURL(new RegExp(`/models/${BRANCH}$`));
});

test("dataset, model and pipeline pages link to the lineage focused on them", async ({ page }) => {
  await page.goto(`/datasets/${CUSTOMERS}`);
  await shown(page, "dataset-lineage-link").click();
  await expect(node(page, `dataset:${CUSTOMERS}`)).toHaveAttribute("data-focused", "true");
  for (const name of SIDE) await expect(node(page, `model:${name}`)).toBeVisible();

  await page.goto(`/models/${chain(5)}`);
  await page.getByRole("main").getByRole("link", { name: "Lineage", exact: true }).click();
  await expect(node(page, `model:${chain(5)}`)).toHaveAttribute("data-focused", "true");

  await page.goto(`/pipelines/${pipelineId}`);
  await shown(page, "lineage-link").first().click();
  await expect(node(page, `pipeline:${PIPELINE}`)).toHaveAttribute("data-focused", "true");
  await expect(node(page, `model:${chain(CHAIN_LENGTH)}`)).toHaveAttribute("data-level", "-1");
});

test("on a phone the page does not scroll sideways; the canvas pans inside itself", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/models/lineage?focus=model:${chain(12)}&depth=all`);
  await expect(node(page, `model:${chain(12)}`)).toHaveAttribute("data-focused", "true");
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
});
