import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDb, getSql } from "@/db";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { createApiToken } from "@/lib/api/tokens";
import type { SessionUser } from "@/lib/auth/session";
import { startCsvHost } from "./helpers/csv-host";
import { zipBomb } from "./helpers/zip-bomb";

/**
 * Hostile input at the edge: zip bombs, chunked JSON bodies past the cap, and path segments that
 * carry NUL or broken UTF-8. The real route handlers and pages, called with real Request objects,
 * against the real database. Session routes and pages get a signed-in editor from a stub of
 * lib/auth/session (what they do with the session, not how it is read, is under test here).
 */

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({
  getSessionUser: async () => session.user,
  requireUser: async () => session.user,
  requireRole: async () => session.user,
  requirePageRole: async () => session.user,
}));

type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON of many shapes, read field by field in the assertions
type Answer = { status: number; json: any };

const MiB = 1024 * 1024;
let token = "";
let host: Awaited<ReturnType<typeof startCsvHost>>;

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function handler(path: string, method: string): Promise<Handler> {
  const mod = (await import(/* @vite-ignore */ path)) as Record<string, Handler>;
  return mod[method]!;
}

function v1Request(method: string, body?: BodyInit, headers: Record<string, string> = {}, auth = true): Request {
  return new Request("http://127.0.0.1:3000/v1/x", {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

/** As the app's own pages call /v1: the session cookie (read by the stub above) and this site's Origin. */
function sessionRequest(method: string, body?: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request("http://127.0.0.1:3000/v1/x", {
    method,
    headers: { cookie: "next-auth.session-token=stub", origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000", ...headers },
    body,
  });
}

/** A body with no Content-Length, sent in 64 KiB chunks, like `Transfer-Encoding: chunked`. */
function chunked(text: string | Uint8Array): ReadableStream<Uint8Array> {
  const bytes = typeof text === "string" ? strToU8(text) : text;
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + 64 * 1024));
      at += 64 * 1024;
    },
  });
}

function multipart(fileName: string, content: Uint8Array): { body: Uint8Array<ArrayBuffer>; type: string } {
  const boundary = "----relayboard-test-boundary";
  const head = strToU8(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/zip\r\n\r\n`,
  );
  const tail = strToU8(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.byteLength + content.byteLength + tail.byteLength);
  body.set(head, 0);
  body.set(content, head.byteLength);
  body.set(tail, head.byteLength + content.byteLength);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

function expectV1Error(res: Answer, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
}

beforeAll(async () => {
  host = await startCsvHost();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port}`;
  resetEnvForTests();
  const editor = await createUser({ email: "hostile-input@example.com", password: "long enough pw", role: "admin" });
  session.user = { id: editor.id, email: editor.email, name: null, role: "editor" };
  token = (await createApiToken(editor, { name: "hostile", role: "editor" })).token;
});

afterAll(async () => {
  await host.close();
  await closeDb();
});

describe("dbt zip import: a zip bomb", () => {
  let made: Uint8Array<ArrayBuffer> | undefined;
  const bomb = () => (made ??= zipBomb("models/bomb.sql", 200 * MiB, { "models/fine.sql": "select 1 as one" }));

  function memory() {
    const m = process.memoryUsage();
    return { heap: m.heapUsed, buffers: m.arrayBuffers, peak: process.resourceUsage().maxRSS * 1024 };
  }

  function expectBounded(before: ReturnType<typeof memory>, after: ReturnType<typeof memory>) {
    expect(after.heap - before.heap).toBeLessThan(64 * MiB);
    expect(after.buffers - before.buffers).toBeLessThan(64 * MiB);
    expect(after.peak - before.peak).toBeLessThan(64 * MiB);
  }

  it("is refused by POST /v1/models/import with 413 in the API's error shape, in bounded memory", async () => {
    const zip = bomb();
    expect(zip.byteLength).toBeLessThan(400 * 1024);
    const post = await handler("@/app/v1/models/import/route", "POST");

    const before = memory();
    const res = await answer(await post(v1Request("POST", zip, { "content-type": "application/zip" }), { params: Promise.resolve({}) }));
    expectBounded(before, memory());
    expectV1Error(res, 413, "payload_too_large");
    expect(res.json.error.message).toMatch(/too large once unpacked/);

    const form = multipart("project.zip", zip);
    const viaForm = await answer(
      await post(v1Request("POST", chunked(form.body), { "content-type": form.type }), { params: Promise.resolve({}) }),
    );
    expectV1Error(viaForm, 413, "payload_too_large");
    expect(await getSql()`select name from relayboard.models where name in ('bomb', 'fine')`).toEqual([]);
  });

  it("is refused the same way when the UI posts it with its session cookie (multipart)", async () => {
    const post = await handler("@/app/v1/models/import/route", "POST");
    const form = multipart("project.zip", bomb());
    const before = memory();
    const res = await answer(await post(sessionRequest("POST", form.body, { "content-type": form.type }), { params: Promise.resolve({}) }));
    expectBounded(before, memory());
    expectV1Error(res, 413, "payload_too_large");
    expect(res.json.error.details).toEqual([{ path: "file", message: expect.any(String) }]);
  });

  it("still imports an ordinary project zip, with a token or with the UI's session", async () => {
    const v1 = await handler("@/app/v1/models/import/route", "POST");
    const zip = zipSync({ "models/plain_import.sql": strToU8("select 1 as one") });
    const res = await answer(
      await v1(v1Request("POST", chunked(zip), { "content-type": "application/zip" }), { params: Promise.resolve({}) }),
    );
    expect(res).toEqual({ status: 200, json: { imported: ["plain_import"], errors: [] } });
    const form = multipart("p.zip", zipSync({ "proj/models/plain_import_ui.sql": strToU8("select 2 as two") }));
    const viaUi = await answer(await v1(sessionRequest("POST", form.body, { "content-type": form.type }), { params: Promise.resolve({}) }));
    expect(viaUi).toEqual({ status: 200, json: { imported: ["plain_import_ui"], errors: [] } });
  });
});

describe("JSON bodies without Content-Length", () => {
  const big = () => JSON.stringify({ name: "too_big", csvUrl: "http://127.0.0.1/x.csv", padding: "x".repeat(MiB + 10) });

  it.each([
    ["POST /v1/datasets/csv", "@/app/v1/datasets/csv/route", "POST", {}],
    ["POST /v1/destinations/slack", "@/app/v1/destinations/slack/route", "POST", {}],
    ["PUT /v1/models/{name}", "@/app/v1/models/[name]/route", "PUT", { name: "too_big" }],
    ["POST /v1/models/{name}/build", "@/app/v1/models/[name]/build/route", "POST", { name: "too_big" }],
    ["POST /v1/pipelines/run", "@/app/v1/pipelines/run/route", "POST", {}],
  ])("%s answers a chunked body over 1 MiB with 413", async (_, path, method, params) => {
    const call = await handler(path, method);
    const request = v1Request(method, chunked(big()), { "content-type": "application/json" });
    expect(request.headers.get("content-length")).toBeNull();
    expectV1Error(await answer(await call(request, { params: Promise.resolve(params) })), 413, "payload_too_large");
  });

  it("reads a small chunked body as usual", async () => {
    host.files.set("/chunked.csv", { body: "id,v\n1,a\n" });
    const post = await handler("@/app/v1/datasets/csv/route", "POST");
    const body = JSON.stringify({ name: "chunked_small", csvUrl: host.url("/chunked.csv") });
    const res = await answer(
      await post(v1Request("POST", chunked(body), { "content-type": "application/json" }), { params: Promise.resolve({}) }),
    );
    expect(res.status).toBe(201);
    expect(res.json.dataset).toMatchObject({ name: "chunked_small" });

    const put = await handler("@/app/v1/models/[name]/route", "PUT");
    const model = await answer(
      await put(v1Request("PUT", chunked(JSON.stringify({ sql: "select 1 as one" })), { "content-type": "application/json" }), {
        params: Promise.resolve({ name: "chunked_model" }),
      }),
    );
    expect(model.status).toBe(201);
    expect(model.json.model).toMatchObject({ name: "chunked_model" });
  });
});

describe("path segments with NUL bytes or broken UTF-8", () => {
  // As Next.js hands them over (decoded), and still encoded, as some callers pass them.
  const hostile = ["\u0000", "a\u0000b", "%00", "%E0%A4%A", "%ff", "\uD800", "caf\u00e9", "%2500", "x".repeat(64)];

  it.each([
    ["GET", "@/app/v1/models/[name]/route"],
    ["DELETE", "@/app/v1/models/[name]/route"],
    ["GET", "@/app/v1/datasets/[name]/route"],
    ["GET", "@/app/v1/datasets/[name]/rows/route"],
  ])("%s %s answers 400 in the API's error shape", async (method, path) => {
    const call = await handler(path, method);
    for (const name of hostile) {
      const res = await answer(await call(v1Request(method), { params: Promise.resolve({ name }) }));
      expectV1Error(res, 400, "invalid_request");
      expect(res.json.error.details).toEqual([{ path: "name", message: expect.stringMatching(/Not a valid name/) }]);
    }
  });

  it("PUT and build refuse them too, before reading or saving anything", async () => {
    const put = await handler("@/app/v1/models/[name]/route", "PUT");
    const build = await handler("@/app/v1/models/[name]/build/route", "POST");
    for (const name of hostile) {
      const body = () => JSON.stringify({ sql: "select 1 as one" });
      expectV1Error(
        await answer(await put(v1Request("PUT", body(), { "content-type": "application/json" }), { params: Promise.resolve({ name }) })),
        400,
        "invalid_request",
      );
      expectV1Error(
        await answer(await build(v1Request("POST", "{}", { "content-type": "application/json" }), { params: Promise.resolve({ name }) })),
        400,
        "invalid_request",
      );
    }
  });

  it("run ids that are not UUIDs answer 400", async () => {
    for (const [path, method] of [
      ["@/app/v1/runs/[id]/route", "GET"],
      ["@/app/v1/runs/[id]/cancel/route", "POST"],
    ] as const) {
      const call = await handler(path, method);
      for (const id of ["\u0000", "%00", "%ff"]) {
        expectV1Error(await answer(await call(v1Request(method), { params: Promise.resolve({ id }) })), 400, "invalid_request");
      }
    }
  });

  it("still finds real names, whether passed decoded or percent-encoded", async () => {
    const get = await handler("@/app/v1/models/[name]/route", "GET");
    const put = await handler("@/app/v1/models/[name]/route", "PUT");
    expect(
      (
        await put(v1Request("PUT", JSON.stringify({ sql: "select 3 as three" }), { "content-type": "application/json" }), {
          params: Promise.resolve({ name: "path_ok" }),
        })
      ).status,
    ).toBe(201);
    expect((await answer(await get(v1Request("GET"), { params: Promise.resolve({ name: "path_ok" }) }))).json.model.name).toBe("path_ok");
    expect((await answer(await get(v1Request("GET"), { params: Promise.resolve({ name: "path%5Fok" }) }))).json.model.name).toBe("path_ok");
    expectV1Error(await answer(await get(v1Request("GET"), { params: Promise.resolve({ name: "no_such_model" }) })), 404, "not_found");
  });

  it("the dataset and model pages answer a plain 404 (notFound), never a failed query", async () => {
    const { default: DatasetPage } = await import("@/app/(app)/datasets/[name]/page");
    const { default: ModelPage } = await import("@/app/(app)/models/[name]/page");
    for (const name of hostile) {
      await expect(DatasetPage({ params: Promise.resolve({ name }), searchParams: Promise.resolve({}) })).rejects.toMatchObject({
        digest: expect.stringMatching(/^NEXT_HTTP_ERROR_FALLBACK;404/),
      });
      await expect(ModelPage({ params: Promise.resolve({ name }) })).rejects.toMatchObject({
        digest: expect.stringMatching(/^NEXT_HTTP_ERROR_FALLBACK;404/),
      });
    }
  });
});
