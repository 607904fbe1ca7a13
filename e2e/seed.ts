import path from "node:path";
import { expect, request as requests, test, type APIRequestContext } from "@playwright/test";
import { ADMIN, CSV_HOST, EDITOR, runAdmin, VIEWER } from "./helpers";
import { TEST_DATA } from "./ports";

/**
 * What specs need before they start, made the way an operator or a script would: users through
 * the admin CLI, everything else through the /v1 API with a token from the CLI. Every helper is
 * idempotent, so a spec seeds what it needs whether it runs alone or after the others.
 */
export type Role = "admin" | "editor" | "viewer";
export const ROLES: Role[] = ["admin", "editor", "viewer"];
export const USERS: Record<Role, { email: string; password: string; name?: string }> = { admin: ADMIN, editor: EDITOR, viewer: VIEWER };

/**
 * The signed-in browser state of each seeded user, written once per run by e2e/auth.setup.ts
 * (which signs in through the form). Specs use it with `test.use({ storageState: sessionFile("admin") })`.
 */
export function sessionFile(role: Role): string {
  return path.join(TEST_DATA, "e2e-auth", `${role}.json`);
}

/** Creates the seeded users that do not exist yet, through `npm run admin -- user create`. */
export function seedUsers(): void {
  const listed = runAdmin(["user", "list"]);
  for (const role of ROLES) {
    const user = USERS[role];
    if (listed.includes(user.email)) continue;
    const out = runAdmin([
      "user",
      "create",
      "--email",
      user.email,
      "--password",
      user.password,
      "--role",
      role,
      ...(user.name ? ["--name", user.name] : []),
    ]);
    expect(out).toContain(`Created ${role} ${user.email}`);
  }
}

let seedToken: string | undefined;

/** A request context for the /v1 API with an editor token of the seeded admin (made by the CLI). */
export async function seedApi(): Promise<APIRequestContext> {
  seedToken ??= runAdmin(["token", "create", "--email", ADMIN.email, "--name", "e2e-seed", "--role", "editor"]).trim().split("\n").at(-1)!;
  expect(seedToken).toMatch(/^rb_/);
  return requests.newContext({
    baseURL: String(test.info().project.use.baseURL),
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { authorization: `Bearer ${seedToken}` },
  });
}

type Run = { id: string; status: string; steps: { name: string; status: string }[] };

export async function waitForRun(api: APIRequestContext, id: string, timeoutMs = 60_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { run } = (await (await api.get(`/v1/runs/${id}`)).json()) as { run: Run };
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish in ${timeoutMs / 1000} s (${run.status})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A dataset registered from the CSV stand-in (e2e/fixtures/<file>) and loaded. */
export async function ensureDataset(api: APIRequestContext, name: string, file: string): Promise<void> {
  const existing = await api.get(`/v1/datasets/${name}`);
  let runId: string | null;
  if (existing.status() === 404) {
    const created = await api.post("/v1/datasets/csv", { data: { name, csvUrl: `${CSV_HOST}/${file}` } });
    expect(created.status(), await created.text()).toBe(201);
    runId = ((await created.json()) as { dataset: { latestRunId: string | null } }).dataset.latestRunId;
  } else {
    expect(existing.status()).toBe(200);
    runId = ((await existing.json()) as { dataset: { latestRunId: string | null } }).dataset.latestRunId;
  }
  expect(runId, `dataset ${name} has a run`).toBeTruthy();
  expect((await waitForRun(api, runId!)).status, `the load of ${name}`).toBe("succeeded");
}

/** A model saved (when missing) and built. */
export async function ensureModel(api: APIRequestContext, name: string, sql: string): Promise<void> {
  if ((await api.get(`/v1/models/${name}`)).status() === 200) return;
  const put = await api.put(`/v1/models/${name}`, { data: { sql } });
  expect(put.status(), await put.text()).toBe(201);
  const started = await api.post(`/v1/models/${name}/build`);
  expect(started.status(), await started.text()).toBeLessThan(300);
  const { build } = (await started.json()) as { build: { id: string } };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = (await (await api.get(`/v1/models/${name}/builds/${build.id}`)).json()) as { build: { status: string } };
    if (res.build.status === "succeeded") return;
    if (["failed", "cancelled"].includes(res.build.status)) throw new Error(`build of ${name}: ${JSON.stringify(res)}`);
    if (Date.now() > deadline) throw new Error(`build of ${name} did not finish in 60 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A Slack destination at the stand-in (a second call with the same name is a no-op). */
export async function ensureDestination(
  api: APIRequestContext,
  input: { name: string; webhookUrl: string; default?: boolean },
): Promise<void> {
  const res = await api.post("/v1/destinations/slack", { data: input });
  expect([201, 409], await res.text()).toContain(res.status());
}
