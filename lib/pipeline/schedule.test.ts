import { describe, expect, it } from "vitest";
import { scheduleInWords } from "@/lib/pipeline/schedule";

describe("scheduleInWords", () => {
  it("is null for a pipeline that runs only by hand", () => {
    expect(scheduleInWords({ scheduleCron: null, scheduleTimezone: "UTC" })).toBeNull();
  });

  it("says a schedule in words", () => {
    expect(scheduleInWords({ scheduleCron: "0 9 * * 1", scheduleTimezone: "Europe/Paris" })).toMatch(/09:00.*Monday/);
  });

  it("shows a stored expression that no longer parses as it is, with its zone", () => {
    expect(scheduleInWords({ scheduleCron: "not a cron", scheduleTimezone: "UTC" })).toBe("not a cron (UTC)");
  });
});
