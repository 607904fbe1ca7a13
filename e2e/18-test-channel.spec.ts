import { expect, test } from "@playwright/test";
import { shown } from "./locators";
import { sinkMessages, waitForToastsToClose } from "./helpers";
import { seedApi, sessionFile } from "./seed";

/**
 * Issue #18: a delivery can be seen without a real Slack webhook once the install has data (the
 * sample channel used to exist only through the empty-install onboarding), and loopback URLs are
 * refused at once whatever their spelling, saying what to do. Stands alone or after the others:
 * the test channel is one per install, so a second "Add a test channel" finds the same one.
 */
test.use({ storageState: sessionFile("editor") });

test("an editor adds a test channel, sends it a test message and sees the recorded message", async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto("/destinations");
  await expect(page.getByRole("heading", { level: 1, name: "Destinations" })).toBeVisible();

  await page.getByRole("button", { name: "Add a test channel" }).click();
  // Listed, and labelled as a test channel: no webhook, nothing is posted.
  const row = shown(page, "destination-row").filter({ has: page.getByTestId("destination-test-channel") });
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  await expect(row).toHaveAttribute("data-destination-kind", "sample");
  await expect(row.getByTestId("destination-test-channel")).toHaveText("Test channel");
  await expect(row.getByTestId("destination-url")).toHaveText("None: a test channel records messages and posts nothing");
  // Never made the default on its own.
  await expect(row.getByTestId("destination-default")).toHaveCount(0);

  // A second click reuses it (once the first answer's toast, over the button, has gone).
  await waitForToastsToClose(page);
  await page.getByRole("button", { name: "Add a test channel" }).click();
  await expect(page.getByText(/is already here/).first()).toBeVisible({ timeout: 15_000 });
  await expect(shown(page, "destination-row").filter({ has: page.getByTestId("destination-test-channel") })).toHaveCount(1);

  await waitForToastsToClose(page);
  const clickedAt = Date.now();
  await row.getByRole("button", { name: /Send test message/ }).click();
  const result = row.getByTestId("test-result");
  await expect(result).toHaveAttribute("data-status", "sent", { timeout: 15_000 });
  await expect(result).toContainText("recorded: test channel, nothing was posted");
  // Recorded, not posted: the Slack stand-in got no test message since the click.
  const posted = (await sinkMessages()).filter(
    (m) => m.receivedAt >= clickedAt && JSON.stringify(m.body).includes("This is a test message"),
  );
  expect(posted).toEqual([]);

  // Its page shows the message as the channel would, the way the sample channel does.
  const name = (await row.getByRole("heading", { level: 3 }).innerText()).trim();
  await row.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/destinations\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const channel = shown(page, "sample-channel");
  await expect(channel).toBeVisible();
  const message = channel.getByTestId("sample-message").first();
  await expect(message).toContainText("This is a test message from");
  await expect(message).toContainText("Sent by editor@example.com");
});

test("a refused webhook URL says which host, why, and what to do", async ({ page }) => {
  await page.goto("/destinations");
  const form = page.getByRole("form", { name: "Add destination" });
  await form.getByLabel("Slack webhook URL").fill("http://127.0.0.1:9/services/T18/B18/refusedSecretTail");
  await form.getByRole("button", { name: "Add destination" }).click();
  const error = form.getByText("127.0.0.1:9 is a loopback address (this server itself) and not allowed.");
  await expect(error).toBeVisible({ timeout: 15_000 });
  await expect(error).toContainText("Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or use a test channel.");
  await expect(form).not.toContainText("refusedSecretTail");
});

test("a dataset URL on localhost is refused at once, with the same message as 127.0.0.1", async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto("/datasets/new");
  await expect(page.getByRole("heading", { level: 1, name: "New dataset" })).toBeVisible();
  const url = page.getByLabel("CSV URL");
  const name = page.getByLabel("Name", { exact: true });
  const error = page.locator("#csvUrl-error");
  const submit = page.getByRole("button", { name: "Register and load" });

  await url.fill("http://localhost:9/x");
  await name.fill("refused_localhost");
  await submit.click();
  await expect(error).toContainText("localhost:9 is a loopback address", { timeout: 15_000 });
  const byName = (await error.innerText()).trim();

  await url.fill("http://127.0.0.1:9/x");
  await name.fill("refused_loopback_ip");
  await submit.click();
  await expect(error).toContainText("127.0.0.1:9 is a loopback address", { timeout: 15_000 });
  const byAddress = (await error.innerText()).trim();

  // The same answer, but for the host as typed; and it says what to do.
  expect(byName.replace("localhost:9", "127.0.0.1:9")).toBe(byAddress);
  expect(byAddress).toBe(
    "127.0.0.1:9 is a loopback address (this server itself) and not allowed. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or upload the file instead.",
  );
  // Refused at registration: still on the form, and nothing was registered.
  await expect(page).toHaveURL(/\/datasets\/new$/);
  const api = await seedApi();
  try {
    for (const refused of ["refused_localhost", "refused_loopback_ip"]) {
      expect((await api.get(`/v1/datasets/${refused}`)).status()).toBe(404);
    }
  } finally {
    await api.dispose();
  }
});
