import { expect, test, type APIRequestContext } from "@playwright/test";
import { shown } from "./locators";
import { seedApi, sessionFile, waitForRun } from "./seed";

test.describe.configure({ mode: "serial" });
test.use({ storageState: sessionFile("admin") });

const NAME = "changes_demo";
// The second file drops `day` and adds `region`; `id` and `amount` stay as they were.
const V1 = "id,day,amount\n1,2024-01-01,10\n2,2024-01-02,20\n3,2024-01-03,30\n";
const V2 = "id,amount,region\n1,10,north\n2,20,south\n3,30,east\n";

type Version = { id: string; schemaChanges: { added: { name: string }[]; removed: { name: string }[] } | null };

function csv(name: string, text: string) {
  return { name, mimeType: "text/csv", buffer: Buffer.from(text) };
}

async function versionsOf(api: APIRequestContext): Promise<Version[]> {
  const res = await api.get(`/v1/datasets/${NAME}`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { dataset: { versions: Version[] } }).dataset.versions;
}

/** The dataset with two loaded versions, seeded through /v1 (an upload, then a new version of it). */
async function seedTwoVersions(api: APIRequestContext): Promise<void> {
  if ((await api.get(`/v1/datasets/${NAME}`)).status() === 404) {
    const created = await api.post("/v1/datasets/csv", { multipart: { name: NAME, file: csv("changes-v1.csv", V1) } });
    expect(created.status(), await created.text()).toBe(201);
    const { dataset } = (await created.json()) as { dataset: { latestRunId: string | null } };
    expect(dataset.latestRunId).toBeTruthy();
    expect((await waitForRun(api, dataset.latestRunId!)).status, "the first load").toBe("succeeded");
  }
  if ((await versionsOf(api)).length < 2) {
    const next = await api.post(`/v1/datasets/${NAME}/versions`, { multipart: { file: csv("changes-v2.csv", V2) } });
    expect(next.status(), await next.text()).toBe(202);
  }
  // The new version's changes are recorded when its load succeeds.
  await expect
    .poll(async () => (await versionsOf(api))[0]?.schemaChanges?.added.map((c) => c.name) ?? null, { timeout: 60_000 })
    .toEqual(["region"]);
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const api = await seedApi();
  await seedTwoVersions(api);
  await api.dispose();
});

test("a new version's schema changes are shown in words on the dataset page", async ({ page }) => {
  await page.goto(`/datasets/${NAME}`);
  const cells = shown(page, "version-schema-changes");
  await expect(cells).toHaveCount(2);
  // Newest first: v2 added region and removed day; v1 had nothing to compare with.
  await expect(cells.first()).toContainText("region (text)");
  await expect(cells.first()).toContainText("day (date)");
  await expect(cells.first()).toContainText("+");
  await expect(cells.first()).toContainText("−");
  await expect(cells.last()).toHaveText("—");
  // No thresholds yet: no freshness badge.
  await expect(shown(page, "dataset-freshness")).toHaveCount(0);
});

test("freshness set through the settings form: a bad duration is refused beside its field, then the badge says getting stale", async ({
  page,
}) => {
  test.setTimeout(60_000);
  await page.goto(`/datasets/${NAME}`);
  const settings = shown(page, "dataset-settings");
  const warnAfter = settings.getByLabel("Warn after", { exact: true });
  const errorAfter = settings.getByLabel("Error after", { exact: true });
  await expect(settings.getByLabel("Schema policy")).toHaveValue("evolve");

  await errorAfter.fill("soon");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(errorAfter).toHaveAttribute("aria-invalid", "true");
  await expect(settings.locator("#ds-errorAfter-error")).toContainText("not an ISO-8601 duration");
  // What was typed is kept for correcting.
  await expect(errorAfter).toHaveValue("soon");

  await errorAfter.fill("");
  await warnAfter.fill("PT1S");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(shown(page, "dataset-settings-saved")).toContainText("Settings saved");

  // The current version was stored well over a second ago.
  await page.reload();
  const badge = shown(page, "dataset-freshness");
  await expect(badge).toHaveAttribute("data-state", "warn");
  await expect(badge).toContainText("Getting stale");
  await expect(badge).toContainText("warn after PT1S");
  await expect(shown(page, "dataset-settings").getByLabel("Warn after", { exact: true })).toHaveValue("PT1S");

  // The dashboard lists it among the stale datasets, linked.
  await page.goto("/");
  const stale = shown(page, "stale-datasets");
  await expect(stale).toBeVisible();
  await stale.getByRole("link", { name: NAME }).click();
  await expect(page).toHaveURL(new RegExp(`/datasets/${NAME}$`));
});
