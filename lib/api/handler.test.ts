import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AuthRequiredError, RateLimitedError, UserError } from "@/lib/errors";
import { readApiError } from "@/lib/api/error-answer";

const logged = vi.hoisted(() => [] as unknown[][]);
vi.mock("@/lib/log", () => ({ getLogger: () => ({ error: (...args: unknown[]) => logged.push(args) }) }));
// The session is not under test here; the serializer is.
vi.mock("@/lib/auth/session", () => ({ requireRole: async () => ({ id: "u", email: "u@example.com", name: null, role: "viewer" }) }));

const { errorToResponse } = await import("@/lib/api/handler");

async function answer(err: unknown) {
  const res = errorToResponse(err, "POST /v1/test", { model: "m" });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

describe("errorToResponse (the /v1 serializer)", () => {
  it("answers a zod error as 400 invalid_request with one detail per field message", async () => {
    const parsed = z
      .object({ name: z.string().min(1, "Required"), options: z.object({ limit: z.number() }) })
      .strict()
      .safeParse({ name: "", options: { limit: "x" }, colour: 1 });
    const res = await answer(parsed.error);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    expect(res.json.error.message).toBe("Please correct the highlighted fields");
    expect(res.json.error.details).toEqual([
      { path: "name", message: "Required" },
      { path: "options.limit", message: expect.any(String) },
      { path: "colour", message: expect.stringMatching(/colour/) },
    ]);
  });

  it.each([
    [new UserError("Bad", 400), 400, "invalid_request"],
    [new AuthRequiredError("Send a token"), 401, "unauthorized"],
    [new UserError("No", 403), 403, "forbidden"],
    [new UserError("No model named x", 404), 404, "not_found"],
    [new UserError("Taken", 409), 409, "conflict"],
    [new UserError("Big", 413), 413, "payload_too_large"],
    [new UserError("JSON please", 415), 415, "unsupported_media_type"],
    [new UserError("Cannot", 422), 422, "unprocessable"],
  ] as const)("keeps a UserError's status and message (%s)", async (err, status, code) => {
    const res = await answer(err);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: { code, message: err.message } });
  });

  it("turns a UserError's field errors into details and a rate limit into Retry-After", async () => {
    expect((await answer(new UserError("Bad", 400, { file: ["Too big", "Not a zip"] }))).json.error.details).toEqual([
      { path: "file", message: "Too big" },
      { path: "file", message: "Not a zip" },
    ]);
    const limited = await answer(new RateLimitedError("Slow down", 12));
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
    expect(limited.headers.get("retry-after")).toBe("12");
  });

  it("logs an unknown error with its route and context, and answers 500 with a generic message", async () => {
    logged.length = 0;
    const err = new Error('relation "warehouse.secret_table" does not exist; token=rb_abc123');
    const res = await answer(err);
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: { code: "internal_error", message: expect.stringMatching(/went wrong on our side/) } });
    expect(JSON.stringify(res.json)).not.toMatch(/secret_table|rb_abc123/);
    expect(logged).toEqual([[{ err, route: "POST /v1/test", model: "m" }, "api request failed"]]);
  });

  it("is read back by the browser helper as message and field errors", async () => {
    const res = await answer(new UserError("Bad", 400, { file: ["Not a zip"] }));
    expect(readApiError(res.json)).toEqual({ message: "Bad", code: "invalid_request", fieldErrors: { file: ["Not a zip"] } });
  });
});

describe("authorize with the session cookie", () => {
  const cookie = "next-auth.session-token=abc";
  const request = (method: string, headers: Record<string, string>) =>
    new Request("http://app.example/v1/models/x/build", { method, headers: { host: "app.example", ...headers } });

  it("lets the signed-in user read, and write from the same origin", async () => {
    const { authorize } = await import("@/lib/api/handler");
    expect(await authorize(request("GET", { cookie }), "viewer")).toEqual({
      tokenId: null,
      userId: "u",
      email: "u@example.com",
      role: "viewer",
    });
    expect(await authorize(request("POST", { cookie, origin: "http://app.example" }), "viewer")).toMatchObject({ userId: "u" });
  });

  it("refuses a cookie-authenticated write without this site's Origin (403)", async () => {
    const { authorize } = await import("@/lib/api/handler");
    await expect(authorize(request("POST", { cookie }), "viewer")).rejects.toMatchObject({ status: 403 });
    await expect(authorize(request("DELETE", { cookie, origin: "http://evil.example" }), "viewer")).rejects.toMatchObject({ status: 403 });
  });
});
