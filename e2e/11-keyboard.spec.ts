import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { ADMIN, CSV_HOST } from "./helpers";

/** One flow end to end with the keyboard alone: sign in, register a dataset by URL, open it. */
test("keyboard only: sign in, register a dataset by URL, see it load", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/login");
  await page.keyboard.press("Tab");
  // Tab until the email field has focus (a skip link may come first).
  for (let i = 0; i < 5 && !(await page.getByLabel("Email").evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  await page.goto("/datasets/new");
  const url = page.getByLabel("CSV URL");
  for (let i = 0; i < 40 && !(await url.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(url).toBeFocused();
  await page.keyboard.type(`${CSV_HOST}/sales.csv`);
  const name = page.getByLabel("Name", { exact: true });
  for (let i = 0; i < 10 && !(await name.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(name).toBeFocused();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("keyboard_sales");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/datasets\/keyboard_sales$/, { timeout: 30_000 });
  await expect(shown(page, "load-status")).toContainText(/succeeded|loaded|ready/i, { timeout: 45_000 });
});
