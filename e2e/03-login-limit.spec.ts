import { expect, test } from "@playwright/test";
import { login, runAdmin, EDITOR } from "./helpers";

// Tests the sign-in form itself, so it signs in by the form; the editor comes from e2e/auth.setup.ts.
test("the 11th failed sign-in in 15 minutes answers 429; other accounts are unaffected", async ({ request, page }) => {
  const email = "locked@example.com";
  runAdmin(["user", "create", "--email", email, "--password", "Locked-password-1", "--role", "viewer"]);

  const attempt = async (password: string) => {
    const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
    return request.post("/api/auth/callback/credentials", {
      form: { email, password, csrfToken, json: "true" },
      maxRedirects: 0,
    });
  };
  for (let i = 0; i < 10; i++) {
    const res = await attempt(`wrong-${i}`);
    expect(res.status(), `attempt ${i + 1}`).not.toBe(429);
  }
  const limited = await attempt("Locked-password-1");
  expect(limited.status()).toBe(429);
  expect(limited.headers()["retry-after"]).toBe("900");
  expect((await limited.json()).message).toMatch(/Too many failed sign-in attempts/);

  // The browser form says so in words.
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("Locked-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Too many failed sign-in attempts" })).toBeVisible();

  // A different account from the same address still signs in.
  await login(page, EDITOR);
});
