import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AuthRequiredError,
  classify,
  ForbiddenError,
  INTERNAL_ERROR_MESSAGE,
  INVALID_INPUT_MESSAGE,
  RateLimitedError,
  UserError,
  zodFieldErrors,
} from "@/lib/errors";

const schema = z
  .object({ name: z.string().min(1, "Required"), options: z.object({ keyColumns: z.array(z.string()).min(1, "Pick one") }) })
  .strict();

describe("classify", () => {
  it("maps a zod error to a user error with field details, by path", () => {
    const parsed = schema.safeParse({ name: "", options: { keyColumns: [] }, colour: "red" });
    expect(parsed.success).toBe(false);
    const c = classify(parsed.error);
    expect(c).toMatchObject({ kind: "invalid", status: 400, message: INVALID_INPUT_MESSAGE });
    expect(c.fieldErrors).toEqual({ name: ["Required"], "options.keyColumns": ["Pick one"], colour: [expect.stringMatching(/colour/)] });
  });

  it("puts issues on the object itself under _form", () => {
    const refined = z.object({ a: z.string().optional(), b: z.string().optional() }).refine((v) => v.a || v.b, "Give a or b");
    expect(zodFieldErrors(refined.safeParse({}).error!)).toEqual({ _form: ["Give a or b"] });
  });

  it.each([
    [new UserError("Bad input", 400, { name: ["Taken"] }), "invalid", 400],
    [new AuthRequiredError(), "unauthorized", 401],
    [new ForbiddenError(), "forbidden", 403],
    [new UserError("No model named x", 404), "not_found", 404],
    [new UserError("Name taken", 409), "conflict", 409],
    [new UserError("Too big", 413), "payload_too_large", 413],
    [new UserError("Send JSON", 415), "invalid", 415],
    [new UserError("Cannot", 422), "invalid", 422],
    [new RateLimitedError("Slow down", 7), "rate_limited", 429],
  ] as const)("keeps a UserError's status and message (%s)", (err, kind, status) => {
    const c = classify(err);
    expect(c).toMatchObject({ kind, status, message: err.message });
  });

  it("keeps a UserError's field errors and a rate limit's Retry-After", () => {
    expect(classify(new UserError("Bad input", 400, { name: ["Taken"] })).fieldErrors).toEqual({ name: ["Taken"] });
    expect(classify(new RateLimitedError("Slow down", 7)).retryAfterSeconds).toBe(7);
  });

  it("never lets a UserError claim a server status", () => {
    expect(classify(new UserError("odd", 503))).toMatchObject({ kind: "invalid", status: 400 });
  });

  it("answers anything else as internal with a generic message that leaks nothing", () => {
    const secret = new Error(
      'duplicate key value violates unique constraint "users_email" (password=hunter2) at select * from relayboard.users',
    );
    for (const err of [secret, new TypeError("x is undefined"), "a string", null, { code: "23505" }]) {
      const c = classify(err);
      expect(c).toEqual({ kind: "internal", status: 500, message: INTERNAL_ERROR_MESSAGE });
    }
    expect(JSON.stringify(classify(secret))).not.toMatch(/hunter2|select|users_email/);
  });
});
