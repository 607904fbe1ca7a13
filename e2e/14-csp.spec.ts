import { expect, test, type Page } from "@playwright/test";
import { login, runAdmin } from "./helpers";

/**
 * Pages run only the scripts that carry the response's nonce: no 'unsafe-inline' for scripts, a
 * new nonce per response, and every script the page ships carries it, so the app still hydrates.
 * Self-contained: it makes its own admin, so it runs alone or after the other specs.
 */
const CSP_ADMIN = { email: "csp-admin@example.com", password: "Csp-admin-password-e2e" };

test.describe.configure({ mode: "serial" });

test.beforeAll(() => {
  runAdmin(["user", "create", "--email", CSP_ADMIN.email, "--password", CSP_ADMIN.password, "--role", "admin"]);
});

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

function scriptNonce(policy: string | undefined): string {
  expect(policy, "Content-Security-Policy header").toBeTruthy();
  const scriptSrc = directives(policy!).get("script-src");
  expect(scriptSrc).toBeDefined();
  expect(scriptSrc).toContain("'self'");
  expect(scriptSrc).toContain("'strict-dynamic'");
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  const nonces = scriptSrc!.filter((v) => v.startsWith("'nonce-"));
  expect(nonces).toHaveLength(1);
  const nonce = nonces[0]!.slice("'nonce-".length, -1);
  expect(nonce.length).toBeGreaterThanOrEqual(16);
  return nonce;
}

function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/gi) ?? [];
}

test("each page response has its own script nonce, and every <script> carries it", async ({ request }) => {
  const seen = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const res = await request.get("/login");
    expect(res.status()).toBe(200);
    const nonce = scriptNonce(res.headers()["content-security-policy"]);
    seen.add(nonce);
    const tags = scriptTags(await res.text());
    // Next's bootstrap and its inline RSC payload scripts at least.
    expect(tags.length).toBeGreaterThan(1);
    for (const tag of tags) expect(tag, tag).toContain(`nonce="${nonce}"`);
  }
  expect(seen.size).toBe(2);
});

test("a nonce sent by the client is not used", async ({ request }) => {
  const res = await request.get("/login", {
    headers: { "x-nonce": "attacker", "content-security-policy": "script-src 'nonce-attacker'" },
  });
  const nonce = scriptNonce(res.headers()["content-security-policy"]);
  expect(nonce).not.toBe("attacker");
  const html = await res.text();
  expect(html).not.toContain('nonce="attacker"');
  for (const tag of scriptTags(html)) expect(tag).toContain(`nonce="${nonce}"`);
});

test("route handlers get a policy that runs no script", async ({ request }) => {
  for (const path of ["/health", "/api/auth/providers", "/v1/openapi.json"]) {
    const policy = (await request.get(path)).headers()["content-security-policy"];
    expect(directives(policy ?? "").get("default-src"), path).toEqual(["'none'"]);
    expect(directives(policy ?? "").has("script-src"), path).toBe(false);
  }
});

test("next-auth's cookies are Secure only when the request came over https", async ({ request }) => {
  const plain = (await request.get("/api/auth/csrf")).headersArray().filter((h) => h.name.toLowerCase() === "set-cookie");
  expect(plain.map((h) => h.value).join("\n")).toMatch(/^next-auth\.csrf-token=/m);
  expect(plain.map((h) => h.value).join("\n")).not.toMatch(/;\s*secure/i);

  const viaTls = (await request.get("/api/auth/csrf", { headers: { "x-forwarded-proto": "https" } }))
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .map((h) => h.value);
  const csrf = viaTls.find((v) => v.startsWith("__Host-next-auth.csrf-token="));
  expect(csrf, viaTls.join("\n")).toBeDefined();
  expect(csrf).toMatch(/;\s*secure/i);
});

/** Every CSP violation the page reports, and console errors that mention the policy. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const consoleErrors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && /content security policy|refused to (execute|load)/i.test(msg.text())) consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => consoleErrors.push(`pageerror: ${err.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return async () => [...consoleErrors, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))];
}

test("signing in and moving around hydrates every page with no CSP violation", async ({ page }) => {
  const violations = await watchViolations(page);
  // Signing in needs the hydrated form (it calls next-auth's signIn), so this alone proves hydration.
  await login(page, CSP_ADMIN);
  expect(await violations()).toEqual([]);

  // Client-side navigation loads more chunks ('strict-dynamic' lets the nonced runtime load them).
  for (const label of ["Datasets", "Models", "Pipelines", "Runs", "Settings"]) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 }).filter({ visible: true }).first()).toBeVisible();
    expect(await violations(), label).toEqual([]);
  }

  // A full load of a signed-in page, then an interactive control (only works once hydrated).
  const res = await page.goto("/models/new");
  const nonce = scriptNonce(res?.headers()["content-security-policy"]);
  for (const tag of scriptTags(await res!.text())) expect(tag).toContain(`nonce="${nonce}"`);
  await page.getByTestId("user-menu").filter({ visible: true }).click();
  await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
  expect(await violations()).toEqual([]);
});
