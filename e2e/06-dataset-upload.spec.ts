import path from "node:path";
import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { sessionFile } from "./seed";

test.use({ storageState: sessionFile("admin") });

test("upload a CSV in the browser: preview before upload, progress, inferred schema, rows", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/datasets/new");
  await page.getByRole("tab", { name: "Upload a file" }).click();
  await page.locator('input[type="file"]').setInputFiles(path.join(__dirname, "fixtures", "weather.csv"));

  // Parsed in the browser at once: delimiter, columns and first rows.
  const preview = shown(page, "file-preview");
  await expect(preview).toBeVisible();
  await expect(shown(page, "preview-delimiter")).toContainText(/comma|,/i);
  await expect(shown(page, "file-preview-table")).toContainText("Zürich");
  await expect(shown(page, "file-preview-table")).toContainText("a note, with a comma 2");

  await page.getByLabel("Name", { exact: true }).fill("weather_upload");
  await page.getByRole("button", { name: "Upload and load" }).click();
  await expect(page).toHaveURL(/\/datasets\/weather_upload$/, { timeout: 30_000 });

  await expect(shown(page, "load-status")).toContainText(/succeeded|loaded|ready/i, { timeout: 45_000 });
  const schema = shown(page, "schema-table");
  await expect(schema).toContainText("temperature");
  await expect(schema).toContainText("bigint");
  await expect(schema).toContainText("timestamptz");
  const rows = shown(page, "preview-table");
  await expect(rows).toContainText("Nairobi");
  await expect(rows).toContainText("a note, with a comma 4");
});

test("a messy real-world file loads on the defaults, and the page says what was detected and what was padded", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/datasets/new");
  await page.getByRole("tab", { name: "Upload a file" }).click();
  // Latin-1 without a BOM, a two-line preamble and a blank line, a short row, an NA marker, day-first dates.
  await page.locator('input[type="file"]').setInputFiles(path.join(__dirname, "fixtures", "ragged-latin1.csv"));
  await expect(shown(page, "preview-encoding")).toContainText("windows-1252");
  await expect(shown(page, "preview-header-line")).toContainText("line 4");
  await expect(shown(page, "file-preview-table")).toContainText("Köln");

  await page.getByLabel("Name", { exact: true }).fill("messy_upload");
  await page.getByRole("button", { name: "Upload and load" }).click();
  await expect(page).toHaveURL(/\/datasets\/messy_upload$/, { timeout: 30_000 });

  const warnings = shown(page, "load-warnings");
  await expect(warnings).toContainText("1 row had fewer fields than the header", { timeout: 45_000 });
  await expect(warnings).toContainText("line 6");
  await expect(shown(page, "detected-encoding")).toContainText("windows-1252");
  await expect(shown(page, "detected-header")).toContainText("line 4, lines 1–3 skipped");
  const schema = shown(page, "schema-table");
  await expect(schema).toContainText("DD/MM/YYYY");
  await expect(schema).toContainText("null markers read as NULL");
  await expect(shown(page, "preview-table")).toContainText("München");
});
