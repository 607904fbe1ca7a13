import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { ADMIN, CSV_HOST, runAdmin, sinkMessages, SLACK_SINK } from "./helpers";
import { ensureDestination, seedApi, sessionFile } from "./seed";

test.describe.configure({ mode: "serial" });
test.use({ storageState: sessionFile("admin") });

// The pipeline's message goes to the default destination: one at the Slack stand-in, seeded through /v1.
test.beforeAll(async () => {
  const api = await seedApi();
  await ensureDestination(api, {
    name: "e2e pipelines",
    webhookUrl: `${SLACK_SINK}/services/TE2E/BPIPE/pipelinesSeedSecret`,
    default: true,
  });
  await api.dispose();
});

// The live run page can briefly hold two copies of its tree while it refreshes: take the first match.

test("create a scheduled pipeline, run it now, watch it live, see the message at the stand-in", async ({ page, request }) => {
  test.setTimeout(120_000);
  // A dataset through the API (fast), then everything else in the browser.
  const token = runAdmin(["token", "create", "--email", ADMIN.email, "--name", "e2e-pipelines", "--role", "editor"])
    .trim()
    .split("\n")
    .at(-1)!;
  const created = await request.post("/v1/datasets/csv", {
    headers: { authorization: `Bearer ${token}` },
    data: { name: "pipe_sales", csvUrl: `${CSV_HOST}/sales.csv` },
  });
  expect(created.status()).toBe(201);

  await page.goto("/pipelines/new");
  await page.getByLabel("Name", { exact: true }).fill("pipe sales hourly");
  await page.getByLabel("Dataset").selectOption({ label: "pipe_sales" });
  await page.getByLabel("Cron expression (optional)").fill("0 * * * *");
  await expect(shown(page, "schedule-next-runs").first().locator("li")).toHaveCount(3);
  await page.getByRole("button", { name: "Add a message" }).click();
  const delivery = shown(page, "delivery").first().last();
  await delivery.getByLabel("Text").fill("Pipeline *{{pipeline.name}}* loaded {{run.rows}} rows");
  await page.getByRole("button", { name: "Create pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  await expect(page.getByText(/Every hour|At 0 minutes past the hour|minute 0/i).first()).toBeVisible();

  // Forced: the file is unchanged since the dataset's own pipeline loaded it.
  await shown(page, "run-now-force").first().click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  const runId = page.url().split("/").at(-1)!;
  // Live: the steps turn green without a reload.
  for (const step of ["fetch", "load", "transform", "test", "deliver"]) {
    await expect(shown(page, `step-${step}`).first()).toHaveAttribute("data-status", /succeeded|skipped/, { timeout: 60_000 });
  }
  await expect(shown(page, "run-status").first()).toContainText(/succeeded/i);
  await expect(shown(page, "step-load").first()).toHaveAttribute("data-status", "succeeded");
  // The load's progress bar is there and full.
  await expect(shown(page, "run-progress").first()).toBeVisible();
  await expect(shown(page, "run-load-status").first()).toContainText(/60|rows|loaded/i);
  const messages = (await sinkMessages()).filter((m) => JSON.stringify(m.body).includes(runId));
  expect(messages.length).toBeGreaterThanOrEqual(1);
  expect(JSON.stringify(messages)).toContain("pipe sales hourly");
});

test("a failed run shows its error, and Retry from failed step completes it", async ({ page, request }) => {
  test.setTimeout(120_000);
  const token = runAdmin(["token", "create", "--email", ADMIN.email, "--name", "e2e-retry", "--role", "editor"]).trim().split("\n").at(-1)!;
  const headers = { authorization: `Bearer ${token}` };
  // A model that fails (division by zero), downstream of the dataset.
  const put = await request.put("/v1/models/pipe_ratio", {
    headers,
    data: { sql: "select order_id, amount / (order_id - order_id) as ratio from {{ ref('pipe_sales') }}", materialization: "table" },
  });
  expect(put.status()).toBe(201);
  const { run } = await (await request.post("/v1/pipelines/run", { headers, data: { datasetName: "pipe_sales", force: true } })).json();

  await page.goto(`/runs/${run.id}`);
  await expect(shown(page, "run-status").first()).toContainText(/failed/i, { timeout: 60_000 });
  await expect(shown(page, "step-transform").first()).toHaveAttribute("data-status", "failed");
  await expect(
    page
      .getByRole("alert")
      .filter({ hasText: /division by zero|pipe_ratio/ })
      .first(),
  ).toBeVisible();

  // Fix the model, then retry from the failed step.
  const fixed = await request.put("/v1/models/pipe_ratio", {
    headers,
    data: { sql: "select order_id, amount / order_id as ratio from {{ ref('pipe_sales') }}" },
  });
  expect(fixed.status()).toBe(200);
  // The button appears in the header and beside the error; either does the same.
  await shown(page, "retry-failed-step").first().click();
  await expect(shown(page, "run-status").first()).toContainText(/succeeded/i, { timeout: 60_000 });
  await expect(shown(page, "step-transform").first()).toHaveAttribute("data-status", "succeeded");
});

test("a failing data test fails the run in the runs list and the dashboard chart; a warn test only marks it", async ({ page, request }) => {
  test.setTimeout(120_000);
  const token = runAdmin(["token", "create", "--email", ADMIN.email, "--name", "e2e-outcomes", "--role", "editor"])
    .trim()
    .split("\n")
    .at(-1)!;
  const headers = { authorization: `Bearer ${token}` };
  const runWith = async (tests: object[]) => {
    const put = await request.put("/v1/models/pipe_checked", {
      headers,
      data: { sql: "select * from {{ ref('pipe_sales') }}", materialization: "view", tests },
    });
    expect(put.ok()).toBe(true);
    const { run } = await (await request.post("/v1/pipelines/run", { headers, data: { datasetName: "pipe_sales", force: true } })).json();
    await expect
      .poll(async () => (await (await request.get(`/v1/runs/${run.id}`, { headers })).json()).run.outcome, { timeout: 60_000 })
      .not.toBeNull();
    return (await (await request.get(`/v1/runs/${run.id}`, { headers })).json()).run as { id: string; outcome: string; warnings: string[] };
  };

  const failed = await runWith([{ type: "row_count", max: 1 }]);
  expect(failed.outcome).toBe("failed");
  await page.goto("/runs");
  const failedRow = page.locator(`[data-testid="run-row"][data-run-id="${failed.id}"]`);
  await expect(failedRow).toHaveAttribute("data-outcome", "failed");
  await expect(failedRow).toContainText("Failed");
  await page.goto("/");
  await page.getByText("Show the figures as a table").click();
  await expect(page.locator(`[data-testid="runs-chart-row"][data-run-id="${failed.id}"]`)).toHaveAttribute("data-state", "failed");

  const warned = await runWith([{ type: "row_count", max: 1, severity: "warn" }]);
  expect(warned).toMatchObject({ outcome: "succeeded_with_warnings", warnings: [expect.stringContaining("row_count(…..1) warned")] });
  await page.goto("/runs");
  await expect(page.locator(`[data-testid="run-row"][data-run-id="${warned.id}"]`)).toContainText("Succeeded with warnings");
  await page.goto(`/runs/${warned.id}`);
  await expect(shown(page, "run-status").first()).toContainText("Succeeded with warnings");
  await expect(shown(page, "run-warnings").first()).toContainText("row_count(…..1) warned");
  // Later specs run this dataset's pipeline: leave it without the test.
  expect((await request.put("/v1/models/pipe_checked", { headers, data: { sql: "select 1 as one", tests: [] } })).ok()).toBe(true);
});

test("the condition editor round-trips: an aggregate alert with its firing mode, shown in words", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/pipelines/new");
  await page.getByLabel("Name", { exact: true }).fill("pipe big orders");
  await page.getByLabel("Dataset").selectOption({ label: "pipe_sales" });
  await page.getByRole("button", { name: "Add a message" }).click();
  const delivery = shown(page, "delivery").first().last();
  await delivery.getByLabel("Text").fill("Big orders today");
  await delivery.getByLabel("Table (optional)").selectOption("pipe_sales");
  await delivery.getByLabel("Send", { exact: true }).selectOption("aggregate");
  await delivery.getByLabel("Aggregate (SQL)").fill("max(amount)");
  await delivery.getByLabel("Comparison").selectOption(">=");
  await delivery.getByLabel("Number").fill("400");
  await delivery.getByLabel("Send the message").selectOption("on_change_and_recovery");
  const words = "when max(amount) is at least 400, once each time it becomes true, and when it recovers";
  await expect(delivery.getByTestId("condition-in-words")).toContainText(words);
  await page.getByRole("button", { name: "Create pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  // Saved as typed: the summary says it in words, and the edit form holds the same values.
  await expect(shown(page, "delivery-condition").first()).toContainText(words);
  const edit = shown(page, "delivery").first();
  await expect(edit.getByLabel("Send", { exact: true })).toHaveValue("aggregate");
  await expect(edit.getByLabel("Aggregate (SQL)")).toHaveValue("max(amount)");
  await expect(edit.getByLabel("Comparison")).toHaveValue(">=");
  await expect(edit.getByLabel("Number")).toHaveValue("400");
  await expect(edit.getByLabel("Send the message")).toHaveValue("on_change_and_recovery");

  // The message as the next run would post it, shown without asking and following the edits,
  // then once for real at the stand-in.
  await expect(edit.getByTestId("delivery-preview-message")).toContainText("Big orders today");
  await expect(edit.getByTestId("delivery-preview-source")).toContainText(/Values from the run of/);
  await edit.getByLabel("Text").fill("Bigger orders today");
  await expect(edit.getByTestId("delivery-preview-message")).toContainText("Bigger orders today");
  await edit.getByLabel("Text").fill("Big orders today");
  await expect(edit.getByTestId("delivery-preview-message")).not.toContainText("Bigger");
  const before = (await sinkMessages()).length;
  await edit.getByRole("button", { name: "Send test" }).click();
  await expect(edit.getByTestId("delivery-test-result")).toHaveAttribute("data-status", "sent");
  await expect.poll(async () => (await sinkMessages()).length).toBe(before + 1);
  expect(JSON.stringify((await sinkMessages()).at(-1))).toContain("Big orders today");

  // The full preview page opens with this message's template.
  await edit.getByRole("link", { name: "Open in the message preview" }).click();
  await expect(page).toHaveURL(/\/destinations\/preview\?pipeline=[0-9a-f-]{36}&message=1$/);
  await expect(page.getByLabel("Text", { exact: true })).toHaveValue("Big orders today");
  await expect(shown(page, "message-preview")).toContainText("Big orders today");
});

test("a what-changed message round-trips: key, mode and rows, shown in words", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/pipelines/new");
  await page.getByLabel("Name", { exact: true }).fill("pipe order changes");
  await page.getByLabel("Dataset").selectOption({ label: "pipe_sales" });
  await page.getByRole("button", { name: "Add a message" }).click();
  const delivery = shown(page, "delivery").first().last();
  await delivery.getByLabel("Text").fill("Orders changed");
  const whatChanged = delivery.getByRole("group", { name: "What changed" });
  const toggle = whatChanged.getByRole("checkbox", { name: "Send only what changed since the last delivered result" });
  // Nothing to compare without a table.
  await expect(toggle).toBeDisabled();
  await delivery.getByLabel("Table (optional)").selectOption("pipe_sales");
  await toggle.check();
  await whatChanged.getByRole("group", { name: "Key columns" }).getByRole("checkbox", { name: "order_id", exact: true }).check();
  await whatChanged.getByRole("radio", { name: "One message per row" }).check();
  await whatChanged.getByLabel("Max rows").fill("5");
  await page.getByRole("button", { name: "Create pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  await expect(shown(page, "delivery-digest").first()).toContainText("Only what changed, by order_id (one message per row, up to 5");
  const edit = shown(page, "delivery").first().getByRole("group", { name: "What changed" });
  await expect(edit.getByRole("checkbox", { name: "Send only what changed since the last delivered result" })).toBeChecked();
  await expect(edit.getByRole("group", { name: "Key columns" }).getByRole("checkbox", { name: "order_id", exact: true })).toBeChecked();
  await expect(edit.getByRole("radio", { name: "One message per row" })).toBeChecked();
  await expect(edit.getByLabel("Max rows")).toHaveValue("5");
});
