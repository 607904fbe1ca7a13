import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { ensureDataset, seedApi, sessionFile } from "./seed";

// Issue #18 (6): the upload form checks the file and the name before anything is sent.
test.use({ storageState: sessionFile("editor") });

const TAKEN = "upload_checks_sales";

test.beforeAll(async () => {
  const api = await seedApi();
  await ensureDataset(api, TAKEN, "sales.csv");
  await api.dispose();
});

test.beforeEach(async ({ page }) => {
  await page.goto("/datasets/new");
  await page.getByRole("tab", { name: "Upload a file" }).click();
});

test("a binary file is refused in the browser and the upload button stays disabled", async ({ page }) => {
  const bytes = Buffer.from("id,value\n1,a\u0000\u0000b\n2,c\n", "latin1");
  await page.locator('input[type="file"]').setInputFiles({ name: "looks.csv", mimeType: "text/csv", buffer: bytes });
  await expect(page.getByText("This file looks binary (it contains NUL bytes), not CSV.")).toBeVisible({ timeout: 5_000 });
  await page.getByLabel("Name", { exact: true }).fill("upload_checks_binary");
  await expect(page.getByRole("button", { name: "Upload and load" })).toBeDisabled();
  await expect(shown(page, "file-preview")).toHaveCount(0);
});

test("a 0-byte file is refused as empty and the upload button stays disabled", async ({ page }) => {
  await page.locator('input[type="file"]').setInputFiles({ name: "empty.csv", mimeType: "text/csv", buffer: Buffer.alloc(0) });
  await expect(page.getByText("This file is empty")).toBeVisible({ timeout: 5_000 });
  await page.getByLabel("Name", { exact: true }).fill("upload_checks_empty");
  await expect(page.getByRole("button", { name: "Upload and load" })).toBeDisabled();
});

test("an existing dataset's name is reported taken while typing, before submit", async ({ page }) => {
  await page.locator('input[type="file"]').setInputFiles({ name: "ok.csv", mimeType: "text/csv", buffer: Buffer.from("a,b\n1,2\n") });
  const name = page.getByLabel("Name", { exact: true });
  await name.fill(TAKEN);
  await expect(page.getByText(`The name ${TAKEN} is taken`)).toBeVisible({ timeout: 5_000 });
  // Still on the form: nothing was submitted.
  await expect(page).toHaveURL(/\/datasets\/new$/);
  await name.fill(`${TAKEN}_free`);
  await expect(page.getByText(`The name ${TAKEN} is taken`)).toHaveCount(0, { timeout: 5_000 });
  await expect(page.getByRole("button", { name: "Upload and load" })).toBeEnabled();
});
