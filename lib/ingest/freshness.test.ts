import { describe, expect, it } from "vitest";
import { judgeFreshness, parseFreshnessDuration } from "./freshness";

const changedAt = new Date("2026-12-01T00:00:00Z");
const after = (ms: number) => new Date(changedAt.getTime() + ms);
const HOUR = 3_600_000;

describe("judgeFreshness", () => {
  const config = { warnAfter: "PT6H", errorAfter: "P1D" };

  it("is ok up to the warn threshold, warns past it, errors past the error threshold (strictly older, as dbt)", () => {
    expect(judgeFreshness(config, changedAt, after(6 * HOUR)).state).toBe("ok");
    expect(judgeFreshness(config, changedAt, after(6 * HOUR + 1)).state).toBe("warn");
    expect(judgeFreshness(config, changedAt, after(24 * HOUR)).state).toBe("warn");
    expect(judgeFreshness(config, changedAt, after(24 * HOUR + 1))).toMatchObject({
      state: "error",
      reason: "unchanged for 1 day (error after P1D)",
    });
  });

  it("has no state without thresholds or before the first load; either threshold alone works", () => {
    expect(judgeFreshness(null, changedAt, after(HOUR)).state).toBeNull();
    expect(judgeFreshness({ warnAfter: null, errorAfter: null }, changedAt, after(HOUR)).state).toBeNull();
    expect(judgeFreshness(config, null, after(HOUR))).toMatchObject({ state: null, reason: "nothing loaded yet" });
    expect(judgeFreshness({ errorAfter: "PT1H" }, changedAt, after(2 * HOUR)).state).toBe("error");
    expect(judgeFreshness({ warnAfter: "PT1H" }, changedAt, after(200 * HOUR)).state).toBe("warn");
  });
});

describe("parseFreshnessDuration", () => {
  it("takes ISO-8601 durations and refuses anything else, saying how to write one", () => {
    expect(parseFreshnessDuration("P1DT12H")).toEqual({ ok: true, duration: { days: 1, hours: 12 } });
    expect(parseFreshnessDuration("6h")).toMatchObject({ ok: false, message: expect.stringMatching(/write e\.g\. PT6H/) });
    expect(parseFreshnessDuration("PT0S")).toMatchObject({ ok: false, message: expect.stringMatching(/longer than zero/) });
  });
});
