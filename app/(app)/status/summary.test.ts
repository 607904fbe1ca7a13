import { describe, expect, it } from "vitest";
import { summarizeServiceStatus } from "./summary";

const ok = { database: "ok", storage: "ok", queue: "ok" };

describe("summarizeServiceStatus", () => {
  it("is normal when every check passes and a worker is online", () => {
    expect(summarizeServiceStatus({ checks: ok, workersOnline: 2 })).toEqual({ level: "ok", text: "All systems normal" });
  });

  it("warns when no worker is running", () => {
    expect(summarizeServiceStatus({ checks: ok, workersOnline: 0 })).toMatchObject({
      level: "warn",
      text: expect.stringMatching(/No worker/),
    });
  });

  it("names the failing checks", () => {
    expect(summarizeServiceStatus({ checks: { ...ok, queue: "timed out" }, workersOnline: 0 })).toEqual({
      level: "error",
      text: "Queue is unavailable",
    });
    expect(
      summarizeServiceStatus({ checks: { database: "connection refused", storage: "ok", queue: "timed out" }, workersOnline: null }),
    ).toEqual({
      level: "error",
      text: "Database and Queue are unavailable",
    });
  });
});
