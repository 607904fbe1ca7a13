import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { login, runAdmin, VIEWER } from "./helpers";

test("a viewer is refused an editor-only action by the server (403)", async ({ page }) => {
  const out = runAdmin(["user", "create", "--email", VIEWER.email, "--password", VIEWER.password, "--role", "viewer"]);
  expect(out).toContain("Created viewer");
  await login(page, VIEWER);

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
