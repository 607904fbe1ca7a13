import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { INTERNAL_ERROR_MESSAGE, UserError } from "@/lib/errors";

const logged = vi.hoisted(() => [] as unknown[][]);
vi.mock("@/lib/log", () => ({ getLogger: () => ({ error: (...args: unknown[]) => logged.push(args) }) }));

const { runAction } = await import("@/lib/action-result");

describe("runAction (the server action serializer)", () => {
  it("answers a zod error with fieldErrors by path", async () => {
    const result = await runAction("t", async () =>
      z
        .object({ name: z.string().min(1, "Required") })
        .strict()
        .parse({ name: "", extra: 1 }),
    );
    expect(result).toEqual({
      ok: false,
      status: 400,
      formError: "Please correct the highlighted fields",
      fieldErrors: { name: ["Required"], extra: [expect.any(String)] },
    });
  });

  it("answers a UserError with its status, message and field errors", async () => {
    expect(await runAction("t", async () => Promise.reject(new UserError("Name taken", 409, { name: ["Taken"] })))).toEqual({
      ok: false,
      status: 409,
      formError: "Name taken",
      fieldErrors: { name: ["Taken"] },
    });
    expect(await runAction("t", async () => Promise.reject(new UserError("Not found", 404)))).toEqual({
      ok: false,
      status: 404,
      formError: "Not found",
    });
  });

  it("logs anything else with context and answers a generic message, never the error's text", async () => {
    logged.length = 0;
    const err = new Error("connect ECONNREFUSED postgres://app:s3cret@db/relayboard");
    const result = await runAction("saveThing", async () => Promise.reject(err));
    expect(result).toEqual({ ok: false, status: 500, formError: INTERNAL_ERROR_MESSAGE });
    expect(JSON.stringify(result)).not.toContain("s3cret");
    expect(logged).toEqual([[{ err, action: "saveThing" }, "server action failed"]]);
  });

  it("lets Next's redirect() and notFound() through", async () => {
    const redirect = Object.assign(new Error("NEXT_REDIRECT"), { digest: "NEXT_REDIRECT;replace;/login;307;" });
    await expect(runAction("t", async () => Promise.reject(redirect))).rejects.toBe(redirect);
  });

  it("passes a result through", async () => {
    expect(await runAction("t", async () => 42)).toEqual({ ok: true, data: 42 });
  });
});
