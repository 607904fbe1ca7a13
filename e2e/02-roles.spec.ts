import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { sessionFile } from "./seed";

// The viewer comes from the admin CLI and signs in once (e2e/auth.setup.ts).
test.use({ storageState: sessionFile("viewer") });

test("a viewer is refused an editor-only action by the server (403)", async ({ page }) => {
  await page.goto("/status");
  await expect(page.getByRole("heading", { level: 1, name: "Status" })).toBeVisible();

  const button = page.getByRole("button", { name: "Check queue now" });
  await expect(button).toBeDisabled();
  // The UI hides the action from viewers; the server must refuse it on its own.
  await button.evaluate((el) => el.removeAttribute("disabled"));
  await button.click();
  await expect(shown(page, "action-error")).toContainText(/editor role|viewer/i);

  // Admin pages send a viewer away.
  await page.goto("/settings/users");
  await expect(page).toHaveURL(/forbidden=1/);
});
