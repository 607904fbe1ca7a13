import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { sinkMessages, SLACK_SINK } from "./helpers";
import { sessionFile } from "./seed";

test.use({ storageState: sessionFile("admin") });

test("create a destination, see it masked, preview a message, send a test message to the stand-in", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/destinations");
  const secretPath = "/services/TUI/BUI/uiSecretTail9Z";
  await page.getByLabel("Slack webhook URL").fill(`${SLACK_SINK}${secretPath}`);
  await page.getByLabel("Name (optional)").fill("ui alerts");
  await page.getByRole("button", { name: "Add destination" }).click();

  const row = shown(page, "destination-row").filter({ hasText: "ui alerts" });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("destination-url")).toHaveText(/…\/l9Z$|…\/9Z$|…\/il9Z$|…\/ail9Z$|\/…\/l9Z/);
  await expect(row.getByTestId("destination-url")).not.toContainText("uiSecret");
  expect(await page.content()).not.toContain("uiSecretTail");

  await page.goto("/destinations/preview");
  await page.getByLabel("Header (optional)").fill("Daily {{dataset.name}}");
  await page.getByLabel("Text", { exact: true }).fill("*{{run.rows}}* rows <!channel> & more");
  const preview = shown(page, "message-preview");
  await expect(preview).toContainText("Daily orders", { timeout: 10_000 });
  await expect(preview).toContainText("1234");
  await page.getByLabel("Text", { exact: true }).fill("{{run.nope}}");
  await expect(page.getByRole("alert").filter({ hasText: "Unknown variable" }).first()).toBeVisible();

  await page.goto("/destinations");
  const before = (await sinkMessages()).filter((m) => m.path === secretPath).length;
  await shown(page, "destination-row").filter({ hasText: "ui alerts" }).getByRole("button", { name: "Send test message" }).click();
  await expect(shown(page, "test-result").first()).toContainText("ok");
  const after = (await sinkMessages()).filter((m) => m.path === secretPath);
  expect(after.length).toBe(before + 1);
  expect(JSON.stringify(after.at(-1)!.body)).toContain("test message");
});
