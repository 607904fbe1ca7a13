import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, DATA_DIR, EDITOR, VIEWER, embeddedAdminSql, embeddedPostgres } from "./helpers";
import { sessionFile } from "./seed";
import { TEST_DATA } from "./ports";

test.use({ storageState: sessionFile("admin") });

/** Runs last: everything the earlier specs did is in the captured logs by now. */
test("no password, hash, secret or key appears in the logs or the pages", async ({ page }) => {
  const secrets = JSON.parse(fs.readFileSync(path.join(DATA_DIR, "secrets.json"), "utf8")) as Record<string, string>;
  const embedded = embeddedPostgres();
  const sql = embeddedAdminSql();
  const hashes = (await sql`select password_hash from relayboard.users`).map((r) => r.password_hash as string);
  await sql.end();
  expect(hashes.length).toBeGreaterThanOrEqual(3);

  const forbidden: Record<string, string> = {
    "admin password": ADMIN.password,
    "viewer password": VIEWER.password,
    "editor password": EDITOR.password,
    "wrong password typed in a test": "definitely-wrong",
    AUTH_SECRET: secrets.authSecret!,
    ENCRYPTION_KEY: secrets.encryptionKey!,
    "embedded Postgres password": embedded.password,
    "S3 secret key": "s3-secret-e2e-7f3a9c",
    "external AUTH_SECRET": "e2e-external-auth-secret-0123456789abcdef",
    "external ENCRYPTION_KEY": Buffer.alloc(32, 0x5a).toString("base64"),
    // Secret parts of webhook URLs added through the API and the UI.
    "webhook secret (API)": "apiflowsecret",
    "webhook secret (UI)": "uiSecretTail9Z",
    "webhook secret (seeded)": "pipelinesSeedSecret",
    ...Object.fromEntries(hashes.map((h, i) => [`password hash ${i}`, h])),
  };

  const logs = [path.join(DATA_DIR, "app.log"), path.join(TEST_DATA, "external-app.log")].filter((f) => fs.existsSync(f));
  expect(logs.length).toBeGreaterThan(0);
  const pages: string[] = [];
  for (const url of ["/", "/settings", "/settings/users", "/datasets", "/destinations", "/pipelines", "/runs", "/models"]) {
    await page.goto(url);
    pages.push(await page.content());
  }
  const haystacks = [...logs.map((f) => [f, fs.readFileSync(f, "utf8")] as const), ...pages.map((html, i) => [`page ${i}`, html] as const)];
  expect(haystacks.find(([name]) => name.endsWith("app.log"))![1].length).toBeGreaterThan(1000);
  for (const [where, text] of haystacks) {
    for (const [what, value] of Object.entries(forbidden)) {
      expect(text.includes(value), `${what} found in ${where}`).toBe(false);
    }
  }
});
