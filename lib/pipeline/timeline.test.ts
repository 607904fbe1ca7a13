import { describe, expect, it } from "vitest";
import { buildTimeline } from "@/lib/pipeline/timeline";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe("buildTimeline", () => {
  it("places finished steps on an axis from the request to the run's end, with the waits between them", () => {
    const t = buildTimeline({
      createdAt: at(0),
      finishedAt: at(1000),
      now: new Date(T0 + 5000),
      steps: [
        { name: "fetch", status: "succeeded", startedAt: at(100), finishedAt: at(300) },
        { name: "load", status: "succeeded", startedAt: at(420), finishedAt: at(900) },
        { name: "deliver", status: "succeeded", startedAt: at(900), finishedAt: at(1000) },
      ],
    });
    expect(t.totalMs).toBe(1000);
    const [fetch, load, deliver] = t.bars;
    expect(fetch).toMatchObject({ placed: true, startMs: 100, endMs: 300, durationMs: 200, leftPct: 10, widthPct: 20 });
    expect(fetch!.wait).toMatchObject({ ms: 100, fromMs: 0, after: null, leftPct: 0, widthPct: 10 });
    expect(load).toMatchObject({ startMs: 420, durationMs: 480, leftPct: 42, widthPct: 48 });
    expect(load!.wait).toMatchObject({ ms: 120, fromMs: 300, after: "fetch", leftPct: 30, widthPct: 12 });
    expect(deliver!.wait).toMatchObject({ ms: 0, after: "load" });
    // Offsets only grow.
    expect(t.bars.map((b) => b.startMs)).toEqual([100, 420, 900]);
  });

  it("runs a running step to now, and the axis with it", () => {
    const t = buildTimeline({
      createdAt: at(0),
      finishedAt: null,
      now: new Date(T0 + 2000),
      steps: [
        { name: "fetch", status: "succeeded", startedAt: at(0), finishedAt: at(500) },
        { name: "load", status: "running", startedAt: at(1000), finishedAt: null },
        { name: "transform", status: "queued", startedAt: null, finishedAt: null },
      ],
    });
    expect(t.totalMs).toBe(2000);
    expect(t.bars[1]).toMatchObject({ running: true, startMs: 1000, endMs: 2000, durationMs: 1000, leftPct: 50, widthPct: 50 });
    expect(t.bars[2]).toMatchObject({ placed: false, startMs: null, wait: null, widthPct: 0 });
  });

  it("leaves skipped steps without times off the axis and measures the next wait from the last placed step", () => {
    const t = buildTimeline({
      createdAt: at(0),
      finishedAt: at(800),
      now: new Date(T0 + 9000),
      steps: [
        { name: "fetch", status: "succeeded", startedAt: at(0), finishedAt: at(200) },
        { name: "transform", status: "failed", startedAt: at(300), finishedAt: at(800) },
        { name: "test", status: "skipped", startedAt: null, finishedAt: at(800) },
        { name: "deliver", status: "skipped", startedAt: null, finishedAt: at(800) },
      ],
    });
    expect(t.bars.map((b) => b.placed)).toEqual([true, true, false, false]);
    expect(t.bars[1]).toMatchObject({ status: "failed", leftPct: 37.5, widthPct: 62.5 });
    expect(t.bars[1]!.wait).toMatchObject({ ms: 100, after: "fetch" });
  });

  it("keeps a queued run with nothing started on a non-empty axis, and never places anything past 100%", () => {
    const queued = buildTimeline({ createdAt: at(0), finishedAt: null, now: new Date(T0), steps: [] });
    expect(queued.totalMs).toBe(1);
    // A step that finished after the run's recorded end (clock skew between machines) stretches the axis.
    const skewed = buildTimeline({
      createdAt: at(0),
      finishedAt: at(100),
      now: new Date(T0 + 100),
      steps: [{ name: "fetch", status: "succeeded", startedAt: at(50), finishedAt: at(200) }],
    });
    expect(skewed.totalMs).toBe(200);
    expect(skewed.bars[0]!.leftPct + skewed.bars[0]!.widthPct).toBe(100);
  });
});
