import { describe, expect, it } from "vitest";
import {
  durationBetween,
  formatBytes,
  formatClock,
  formatCount,
  formatDateTime,
  formatDuration,
  formatPreciseDateTime,
  formatRelativeTime,
  formatUntil,
} from "./format";

describe("formatBytes (binary units, as the docs use)", () => {
  it.each([
    [0, "0 bytes"],
    [1, "1 byte"],
    [900, "900 bytes"],
    [1023, "1023 bytes"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [64 * 1024, "64 KiB"],
    [1024 * 1024 - 1, "1 MiB"],
    [12_345_678, "12 MiB"],
    [5 * 2 ** 30, "5 GiB"],
    [5368709120, "5 GiB"],
    [3 * 2 ** 40, "3 TiB"],
  ])("%d → %s", (n, text) => expect(formatBytes(n)).toBe(text));

  it("shows a dash for what is not a size", () => {
    for (const v of [null, undefined, Number.NaN, Infinity, -1]) expect(formatBytes(v)).toBe("—");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [1_000, "1.0 s"],
    [9_940, "9.9 s"],
    [9_960, "10 s"],
    [12_400, "12 s"],
    [59_700, "1 min 0 s"],
    [61_000, "1 min 1 s"],
    [119_600, "2 min 0 s"],
    [3_725_000, "1 h 2 min"],
  ])("%d ms → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  it("shows a dash for what is not a duration", () => {
    for (const v of [null, undefined, Number.NaN, -5]) expect(formatDuration(v)).toBe("—");
  });
});

describe("durationBetween", () => {
  it("takes ISO strings or dates, and `now` for something still running", () => {
    expect(durationBetween("2026-01-01T00:00:00Z", "2026-01-01T00:00:02.5Z")).toBe(2500);
    expect(durationBetween(new Date(0), null, new Date(4000))).toBe(4000);
    expect(durationBetween("2026-01-01T00:00:00Z", null)).toBeNull();
    expect(durationBetween(null, "2026-01-01T00:00:00Z")).toBeNull();
    expect(durationBetween("not a date", "2026-01-01T00:00:00Z")).toBeNull();
  });
  it("never goes below zero (clock skew between server and worker)", () => {
    expect(durationBetween("2026-01-01T00:00:02Z", "2026-01-01T00:00:00Z")).toBe(0);
  });
});

describe("dates and times, in UTC", () => {
  const d = new Date("2026-11-28T21:03:04Z");
  it("formats", () => {
    expect(formatDateTime(d)).toBe("28 Nov 2026, 21:03 UTC");
    expect(formatPreciseDateTime(d.toISOString())).toBe("28 Nov 2026, 21:03:04 UTC");
    expect(formatPreciseDateTime(null)).toBe("—");
    expect(formatClock(d)).toBe("21:03:04");
    expect(formatCount(1234567)).toBe("1,234,567");
  });
});

describe("relative time", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  it("in the past", () => {
    expect(formatRelativeTime(at(-30), now)).toBe("30 seconds ago");
    expect(formatRelativeTime(at(-180), now)).toBe("3 minutes ago");
    expect(formatRelativeTime(at(-5 * 3600), now)).toBe("5 hours ago");
    expect(formatRelativeTime(at(-30 * 3600), now)).toBe("yesterday");
  });
  it("upcoming keeps hours up to two days, so a day is never misnamed", () => {
    expect(formatUntil(at(300), now)).toBe("in 5 minutes");
    expect(formatUntil(at(34 * 3600), now)).toBe("in 34 hours");
    expect(formatUntil(at(3 * 86_400), now)).toBe("in 3 days");
  });
});
