import { isDeepStrictEqual } from "node:util";
import { expect, test, type APIRequestContext, type BrowserContext } from "@playwright/test";
import { CSV_HOST } from "./helpers";
import { sessionFile } from "./seed";
import { builtServerActions, callAction, discoverRoutes, discoverServerActions, type ActionArgs, type BuiltAction } from "./authz";

/**
 * The authorization matrix: every route handler method and every server action, called as
 * anonymous, viewer, editor and admin against the production build, each answer checked against
 * ONE table. A route or action without a row, or a row for something that no longer exists,
 * fails the first test: add the row (and decide who may call it) when you add the code.
 *
 * Calls are side-effect-safe: callers who are allowed send empty or bogus input, so the answer is
 * a validation error or a 404 (that proves authorization passed) and nothing real changes.
 */

type Role = "viewer" | "editor" | "admin";
type Who = "anonymous" | Role;
const WHO: Who[] = ["anonymous", "viewer", "editor", "admin"];
const RANK: Record<Who, number> = { anonymous: -1, viewer: 0, editor: 1, admin: 2 };

type RouteRow = {
  /** "METHOD /pattern" as discovered from app/**\/route.ts */
  route: string;
  /** session: the next-auth cookie only (/api/*); token: an API bearer token, or the session cookie from this origin (/v1); public: anyone */
  auth: "session" | "token" | "public";
  /** The least role allowed (session and token rows) */
  min?: Role;
  /** The URL called (placeholders filled with values that match nothing) */
  url: string;
  body?: { json: unknown } | { text: string };
  /** The status every allowed caller gets (every caller for public rows) */
  allowed: number;
  why?: string;
};

type ActionRow = {
  /** "file#exportName" as discovered from "use server" files */
  action: string;
  min: Role | "public";
  args: ActionArgs;
  /** What an allowed caller gets: "ok" or the status of a refusal that is not about auth */
  allowed: "ok" | number;
  why?: string;
};

const NO_ID = "00000000-0000-4000-8000-000000000000";
const EMPTY_FORM: ActionArgs = { form: {} };
const NULL_ARG: ActionArgs = { json: [null] };

const ROUTES: RouteRow[] = [
  {
    route: "GET /api/auth/[...nextauth]",
    auth: "public",
    url: "/api/auth/providers",
    allowed: 200,
    why: "next-auth's own endpoints: signing in is public",
  },
  {
    route: "POST /api/auth/[...nextauth]",
    auth: "public",
    url: "/api/auth/callback/credentials",
    allowed: 302,
    why: "without a CSRF token next-auth sends everyone back to sign in",
  },
  {
    route: "GET /api/datasets/[id]/loads/latest",
    auth: "session",
    min: "viewer",
    url: `/api/datasets/${NO_ID}/loads/latest`,
    allowed: 404,
  },
  {
    route: "GET /api/datasets/[id]/versions/[versionId]/download",
    auth: "session",
    min: "viewer",
    url: `/api/datasets/${NO_ID}/versions/${NO_ID}/download`,
    allowed: 404,
  },
  {
    route: "GET /api/datasets/[id]/rows",
    auth: "session",
    min: "viewer",
    url: `/api/datasets/${NO_ID}/rows`,
    allowed: 404,
  },
  {
    route: "GET /api/datasets/[id]/stats",
    auth: "session",
    min: "viewer",
    url: `/api/datasets/${NO_ID}/stats`,
    allowed: 404,
  },
  {
    route: "GET /api/models/[name]/latest-build",
    auth: "session",
    min: "viewer",
    url: "/api/models/authz_matrix_none/latest-build",
    allowed: 200,
  },
  { route: "GET /api/models/export", auth: "session", min: "viewer", url: "/api/models/export", allowed: 200 },
  { route: "GET /api/runs/[id]", auth: "session", min: "viewer", url: `/api/runs/${NO_ID}`, allowed: 404 },
  { route: "GET /health", auth: "public", url: "/health", allowed: 200 },
  {
    route: "GET /metrics",
    auth: "public",
    url: "/metrics",
    allowed: 404,
    why: "guarded by its own METRICS_TOKEN (tests/metrics.test.ts); unset here, so off for everyone",
  },
  { route: "GET /v1/datasets", auth: "token", min: "viewer", url: "/v1/datasets", allowed: 200 },
  { route: "POST /v1/datasets/csv", auth: "token", min: "editor", url: "/v1/datasets/csv", body: { json: {} }, allowed: 400 },
  { route: "GET /v1/datasets/[name]", auth: "token", min: "viewer", url: "/v1/datasets/authz_matrix_none", allowed: 404 },
  {
    route: "PATCH /v1/datasets/[name]",
    auth: "token",
    min: "editor",
    url: "/v1/datasets/authz_matrix_none",
    body: { json: { freshness: null } },
    allowed: 404,
  },
  { route: "GET /v1/datasets/[name]/rows", auth: "token", min: "viewer", url: "/v1/datasets/authz_matrix_none/rows", allowed: 404 },
  {
    route: "POST /v1/datasets/[name]/versions",
    auth: "token",
    min: "editor",
    url: "/v1/datasets/authz_matrix_none/versions",
    allowed: 404,
  },
  { route: "POST /v1/destinations/slack", auth: "token", min: "editor", url: "/v1/destinations/slack", body: { json: {} }, allowed: 400 },
  { route: "GET /v1/models", auth: "token", min: "viewer", url: "/v1/models", allowed: 200 },
  { route: "POST /v1/models/import", auth: "token", min: "editor", url: "/v1/models/import", body: { text: "not a zip" }, allowed: 415 },
  { route: "GET /v1/models/[name]", auth: "token", min: "viewer", url: "/v1/models/authz_matrix_none", allowed: 404 },
  { route: "PUT /v1/models/[name]", auth: "token", min: "editor", url: "/v1/models/authz_matrix_none", body: { json: {} }, allowed: 400 },
  { route: "DELETE /v1/models/[name]", auth: "token", min: "editor", url: "/v1/models/authz_matrix_none", allowed: 404 },
  {
    route: "POST /v1/models/[name]/build",
    auth: "token",
    min: "editor",
    url: "/v1/models/authz_matrix_none/build",
    body: { json: { unknownField: 1 } },
    allowed: 400,
  },
  {
    route: "GET /v1/models/[name]/builds/[id]",
    auth: "token",
    min: "viewer",
    url: `/v1/models/authz_matrix_none/builds/${NO_ID}`,
    allowed: 404,
  },
  { route: "GET /v1/openapi.json", auth: "token", min: "viewer", url: "/v1/openapi.json", allowed: 200 },
  { route: "GET /v1/pipelines", auth: "token", min: "viewer", url: "/v1/pipelines", allowed: 200 },
  { route: "POST /v1/pipelines", auth: "token", min: "editor", url: "/v1/pipelines", body: { json: {} }, allowed: 400 },
  { route: "GET /v1/pipelines/[id]", auth: "token", min: "viewer", url: `/v1/pipelines/${NO_ID}`, allowed: 404 },
  { route: "PUT /v1/pipelines/[id]", auth: "token", min: "editor", url: `/v1/pipelines/${NO_ID}`, body: { json: {} }, allowed: 404 },
  { route: "DELETE /v1/pipelines/[id]", auth: "token", min: "editor", url: `/v1/pipelines/${NO_ID}`, allowed: 404 },
  { route: "POST /v1/pipelines/run", auth: "token", min: "editor", url: "/v1/pipelines/run", body: { json: {} }, allowed: 400 },
  { route: "GET /v1/runs", auth: "token", min: "viewer", url: "/v1/runs", allowed: 200 },
  { route: "GET /v1/runs/[id]", auth: "token", min: "viewer", url: `/v1/runs/${NO_ID}`, allowed: 404 },
  { route: "POST /v1/runs/[id]/cancel", auth: "token", min: "editor", url: `/v1/runs/${NO_ID}/cancel`, allowed: 404 },
];

const ACTIONS: ActionRow[] = [
  {
    action: "app/(app)/actions.ts#checkQueueNow",
    min: "editor",
    args: EMPTY_FORM,
    allowed: "ok",
    why: "takes no input; an allowed call only sends a queue probe",
  },
  { action: "app/(app)/datasets/[name]/actions.ts#deleteDatasetAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/[name]/actions.ts#reloadVersionAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/[name]/actions.ts#requestLoadAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/[name]/actions.ts#setColumnTypeAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/[name]/actions.ts#setReadOptionsAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/[name]/actions.ts#setDateOrderAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/[name]/actions.ts#updateDatasetSettingsAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/actions.ts#createUrlDatasetAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/datasets/actions.ts#checkDatasetNameAction", min: "viewer", args: NULL_ARG, allowed: 400 },
  {
    action: "app/(app)/datasets/actions.ts#removeFailedDatasetsAction",
    min: "editor",
    args: EMPTY_FORM,
    allowed: 400,
    why: "an empty selection is refused: an allowed call removes nothing",
  },
  {
    action: "app/(app)/destinations/actions.ts#addTestChannelAction",
    min: "editor",
    args: EMPTY_FORM,
    allowed: "ok",
    why: "takes no input; an allowed call adds the one test channel (posts nothing, never the default) or returns the existing one",
  },
  { action: "app/(app)/destinations/actions.ts#createDestinationAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/destinations/actions.ts#deleteDestinationAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/destinations/actions.ts#editDestinationAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/destinations/actions.ts#makeDefaultDestinationAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/destinations/actions.ts#previewMessageAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/destinations/actions.ts#sendTestMessageAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/models/actions.ts#buildModelAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/models/actions.ts#compileModelAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/models/actions.ts#deleteModelAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/models/actions.ts#previewModelAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/models/actions.ts#restoreRevisionAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/models/actions.ts#saveModelAction", min: "editor", args: NULL_ARG, allowed: 400 },
  {
    action: "app/(app)/onboarding/actions.ts#startSampleDataAction",
    min: "editor",
    args: EMPTY_FORM,
    allowed: 409,
    why: "sample data is offered only on an empty install; beforeAll makes sure it is not empty",
  },
  { action: "app/(app)/pipelines/actions.ts#deletePipelineAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/pipelines/actions.ts#describeScheduleAction", min: "editor", args: { json: ["", ""] }, allowed: 400 },
  { action: "app/(app)/pipelines/actions.ts#previewDeliveryAction", min: "viewer", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/pipelines/actions.ts#runPipelineAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/pipelines/actions.ts#sendDeliveryTestAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/pipelines/actions.ts#savePipelineAction", min: "editor", args: NULL_ARG, allowed: 400 },
  { action: "app/(app)/pipelines/actions.ts#setPipelinePausedAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/runs/actions.ts#cancelRunAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/runs/actions.ts#retryRunAction", min: "editor", args: EMPTY_FORM, allowed: 400 },
  {
    action: "app/(app)/settings/tokens/actions.ts#createTokenAction",
    min: "viewer",
    args: EMPTY_FORM,
    allowed: 400,
    why: "everyone signed in manages their own tokens",
  },
  { action: "app/(app)/settings/tokens/actions.ts#revokeTokenAction", min: "viewer", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/settings/users/actions.ts#changeUserRoleAction", min: "admin", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/settings/users/actions.ts#createUserAction", min: "admin", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/settings/users/actions.ts#deactivateUserAction", min: "admin", args: EMPTY_FORM, allowed: 400 },
  { action: "app/(app)/settings/users/actions.ts#reactivateUserAction", min: "admin", args: EMPTY_FORM, allowed: 400 },
  {
    action: "app/(auth)/setup/actions.ts#completeSetup",
    min: "public",
    args: EMPTY_FORM,
    allowed: 409,
    why: "open only while no user exists; closed (409) for everyone once set up",
  },
];

test("the table has exactly one row per route handler method and per server action", () => {
  const routeRows = ROUTES.map((r) => r.route);
  const actionRows = ACTIONS.map((a) => a.action);
  const routes = discoverRoutes();
  const actions = discoverServerActions();
  // The build is what answers: every action it serves (inline ones too) needs a row, and every
  // row must be callable (an exported action that nothing imports is not in the build).
  const built = [...builtServerActions().keys()];
  // Soft, so one run lists every gap at once.
  expect
    .soft(
      [...routeRows, ...actionRows].filter((key, i, all) => all.indexOf(key) !== i),
      "rows listed twice",
    )
    .toEqual([]);
  expect
    .soft(
      routes.filter((r) => !routeRows.includes(r)),
      "route handlers without a row in ROUTES",
    )
    .toEqual([]);
  expect
    .soft(
      routeRows.filter((r) => !routes.includes(r)),
      "stale rows in ROUTES (no such route handler)",
    )
    .toEqual([]);
  expect
    .soft(
      actions.filter((a) => !actionRows.includes(a)),
      "server actions without a row in ACTIONS",
    )
    .toEqual([]);
  expect
    .soft(
      actionRows.filter((a) => !actions.includes(a)),
      "stale rows in ACTIONS (no such exported action)",
    )
    .toEqual([]);
  expect
    .soft(
      built.filter((a) => !actionRows.includes(a)),
      "actions in the build without a row (rebuild if stale)",
    )
    .toEqual([]);
  expect
    .soft(
      actionRows.filter((a) => !built.includes(a)),
      "rows whose action is not in the build (unused export or stale build)",
    )
    .toEqual([]);
});

test.describe("signed in as each role", () => {
  let origin = "";
  const contexts: BrowserContext[] = [];
  const sessions = {} as Record<Who, APIRequestContext>;
  const tokens = {} as Record<Role, string>;
  let actions = new Map<string, BuiltAction>();

  const action = (key: string) => {
    const found = actions.get(key);
    if (!found) throw new Error(`${key} is not in the build`);
    return found;
  };

  async function createToken(who: Role, role: Role, name: string): Promise<string> {
    const { result } = await callAction(
      sessions[who],
      action("app/(app)/settings/tokens/actions.ts#createTokenAction"),
      { form: { name, role, expiresInDays: "1" } },
      { origin },
    );
    const token = (result as { data?: { token?: string } }).data?.token;
    if (!token) throw new Error(`could not create a ${role} token as ${who}: ${JSON.stringify(result)}`);
    return token;
  }

  test.beforeAll(async ({ browser }, testInfo) => {
    test.setTimeout(180_000);
    origin = String(testInfo.project.use.baseURL);
    actions = builtServerActions();
    // One user per role from the admin CLI, each signed in once through the form (e2e/auth.setup.ts).
    for (const who of WHO) {
      const context = await browser.newContext({ storageState: who === "anonymous" ? { cookies: [], origins: [] } : sessionFile(who) });
      contexts.push(context);
      sessions[who] = context.request;
    }
    for (const role of ["viewer", "editor", "admin"] as const) tokens[role] = await createToken(role, role, `authz-matrix-${role}`);
    // Earlier specs leave datasets behind; on its own this spec registers one, so that an allowed
    // "Try it with sample data" is refused (409) instead of loading the sample.
    const headers = { authorization: `Bearer ${tokens.editor}` };
    const { datasets } = (await (await sessions.anonymous.get("/v1/datasets", { headers })).json()) as { datasets: unknown[] };
    if (datasets.length === 0) {
      const seeded = await sessions.anonymous.post("/v1/datasets/csv", {
        headers,
        data: { name: "authz_matrix_seed", csvUrl: `${CSV_HOST}/sales.csv` },
      });
      expect(seeded.status()).toBe(201);
    }
  });

  test.afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  async function callRoute(
    row: Pick<RouteRow, "route" | "url" | "body">,
    request: APIRequestContext,
    headers: Record<string, string> = {},
  ) {
    const method = row.route.split(" ")[0]!;
    const body = row.body && ("json" in row.body ? row.body.json : row.body.text);
    if (row.body && "text" in row.body) headers = { ...headers, "content-type": "text/plain" };
    const res = await request.fetch(row.url, { method, headers, data: body, maxRedirects: 0 });
    const text = await res.text();
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      // Not JSON (a zip, a redirect, plain text): only the status matters then.
    }
    return { status: res.status(), error };
  }

  /** What the row says a caller gets: the status, and for refusals the exact error. */
  function expectedForRoute(row: RouteRow, who: Who): { status: number; error?: { code?: string; message?: string } } {
    if (row.auth === "public" || RANK[who] >= RANK[row.min!]) return { status: row.allowed };
    if (row.auth === "session") return sessionRefusal(row, who);
    return who === "anonymous"
      ? { status: 401, error: { code: "unauthorized", message: "Send an API token as: Authorization: Bearer rb_…" } }
      : { status: 403, error: { code: "forbidden", message: `This needs the ${row.min} role; the token has ${who}` } };
  }

  /** What a caller signed in by cookie gets when refused (every route answers errors in the /v1 shape). */
  function sessionRefusal(row: RouteRow, who: Who): { status: number; error: { code: string; message: string } } {
    return who === "anonymous"
      ? { status: 401, error: { code: "unauthorized", message: "Please sign in to continue" } }
      : {
          status: 403,
          error: { code: "forbidden", message: `This needs the ${row.min} role; your role is ${who}. Ask an admin for access.` },
        };
  }

  function expectedForAction(row: ActionRow, who: Who): Record<string, unknown> {
    if (row.min === "public" || RANK[who] >= RANK[row.min])
      return row.allowed === "ok" ? { http: 200, ok: true } : { http: 200, ok: false, status: row.allowed };
    return who === "anonymous"
      ? { http: 200, ok: false, status: 401, formError: "Please sign in to continue" }
      : { http: 200, ok: false, status: 403, formError: `This needs the ${row.min} role; your role is ${who}. Ask an admin for access.` };
  }

  test("every route and action answers each role as the table says", async () => {
    test.setTimeout(180_000);
    const mismatches: string[] = [];
    const check = (what: string, expected: unknown, got: unknown) => {
      if (!isDeepStrictEqual(expected, got)) mismatches.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
    };

    for (const row of ROUTES) {
      for (const who of WHO) {
        const expected = expectedForRoute(row, who);
        let got;
        if (row.auth === "token") {
          // Bearer only, from a context without cookies.
          got = await callRoute(row, sessions.anonymous, who === "anonymous" ? {} : { authorization: `Bearer ${tokens[who]}` });
        } else {
          got = await callRoute(row, sessions[who]);
        }
        check(`${row.route} as ${who}`, expected, expected.error ? got : { status: got.status });
      }
      if (row.auth === "token") {
        // The app's pages call /v1 with the session cookie: the same roles apply, and a write must
        // carry this site's Origin (browsers always send it on POST/PUT/DELETE).
        const write = row.route.split(" ")[0] !== "GET";
        for (const who of ["viewer", "editor", "admin"] as const) {
          const expected: { status: number; error?: unknown } =
            RANK[who] >= RANK[row.min!] ? { status: row.allowed } : sessionRefusal(row, who);
          const got = await callRoute(row, sessions[who], write ? { origin } : {});
          check(`${row.route} with the ${who}'s session cookie`, expected, expected.error ? got : { status: got.status });
        }
        if (write) {
          const noOrigin = await callRoute(row, sessions.admin);
          check(`${row.route} with the admin's session cookie and no Origin`, 403, noOrigin.status);
          const foreign = await callRoute(row, sessions.admin, { origin: "http://evil.example" });
          check(`${row.route} with the admin's session cookie from a foreign Origin`, 403, foreign.status);
        }
      } else if (row.auth === "session") {
        // A token opens no /api route: those are the pages' own, session only.
        const got = await callRoute(row, sessions.anonymous, { authorization: `Bearer ${tokens.admin}` });
        check(`${row.route} with an admin token and no session`, 401, got.status);
      }
    }

    for (const row of ACTIONS) {
      for (const who of WHO) {
        const expected = expectedForAction(row, who);
        const answer = await callAction(sessions[who], action(row.action), row.args, { origin });
        const result = answer.result as { ok?: boolean; status?: number; formError?: string };
        const got: Record<string, unknown> = { http: answer.status, ok: result.ok };
        if (result.ok !== true) got.status = result.status;
        if ("formError" in expected) got.formError = result.formError;
        check(`${row.action} as ${who}`, expected, got);
      }
    }

    expect(mismatches, `${mismatches.length} answers differ from the table`).toEqual([]);
  });

  test("server actions refuse a foreign Origin (CSRF), even for an allowed role", async () => {
    const schedule = action("app/(app)/pipelines/actions.ts#describeScheduleAction");
    const args: ActionArgs = { json: ["0 9 * * 1", "UTC"] };
    const same = await callAction(sessions.editor, schedule, args, { origin });
    expect(same.result).toMatchObject({ ok: true, data: { description: expect.any(String) } });

    const foreign = await callAction(sessions.editor, schedule, args, { origin: "http://evil.example" });
    expect(foreign.status).toBe(500);
    expect(foreign.result).toEqual({ thrown: expect.objectContaining({ digest: expect.any(String) }) });
  });

  test("an API token never has more rights than it was given or than its owner", async () => {
    const list = { route: "GET /v1/runs", url: "/v1/runs" };
    const run = { route: "POST /v1/pipelines/run", url: "/v1/pipelines/run", body: { json: {} } };
    const cappedAdminToken = await createToken("admin", "viewer", "authz-matrix-capped");
    const headers = { authorization: `Bearer ${cappedAdminToken}` };
    expect((await callRoute(list, sessions.anonymous, headers)).status).toBe(200);
    expect(await callRoute(run, sessions.anonymous, headers)).toEqual({
      status: 403,
      error: { code: "forbidden", message: "This needs the editor role; the token has viewer" },
    });

    const tooHigh = await callAction(
      sessions.viewer,
      action("app/(app)/settings/tokens/actions.ts#createTokenAction"),
      { form: { name: "authz-matrix-too-high", role: "editor" } },
      { origin },
    );
    expect(tooHigh.result).toMatchObject({ ok: false, status: 403, formError: "A token cannot have more rights than its owner (viewer)" });
  });

  test("the session cookie is HttpOnly and SameSite=Lax (cross-site POSTs to /api routes carry no session)", async () => {
    const cookie = (await contexts[WHO.indexOf("admin")]!.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  });
});
