/**
 * The time maths behind the run page's step timeline: where each step sits on one axis from the
 * moment the run was requested to its end (or now, while it runs), and the waits between steps.
 * Pure: dates in as ISO text or Date, milliseconds out.
 */

export type TimelineStepInput<Name extends string = string, Status extends string = string> = {
  name: Name;
  status: Status;
  startedAt: string | Date | null;
  finishedAt: string | Date | null;
};

export type TimelineBar<Name extends string = string, Status extends string = string> = {
  name: Name;
  status: Status;
  /** False for a step that never started (queued, or skipped/cancelled before it ran): no bar. */
  placed: boolean;
  /** Still running: its end is `now`. */
  running: boolean;
  /** Milliseconds from the run's request to the step's start and end; null when not placed. */
  startMs: number | null;
  endMs: number | null;
  durationMs: number | null;
  /** Position on the axis, in percent of its length (0 when not placed). */
  leftPct: number;
  widthPct: number;
  /**
   * The wait before this step started: from the end of the last placed step before it, or from
   * the run's request for the first one. Null when not placed.
   */
  wait: { ms: number; fromMs: number; after: Name | null; leftPct: number; widthPct: number } | null;
};

export type Timeline<Name extends string = string, Status extends string = string> = {
  /** Length of the axis in milliseconds (at least 1). */
  totalMs: number;
  bars: TimelineBar<Name, Status>[];
};

const toMs = (d: string | Date | null | undefined): number | null => {
  if (d === null || d === undefined) return null;
  const ms = typeof d === "string" ? Date.parse(d) : d.getTime();
  return Number.isNaN(ms) ? null : ms;
};

const pct = (ms: number, total: number) => Math.min(100, Math.max(0, (ms / total) * 100));

export function buildTimeline<Name extends string, Status extends string>(input: {
  createdAt: string | Date;
  finishedAt: string | Date | null;
  steps: TimelineStepInput<Name, Status>[];
  now: Date;
}): Timeline<Name, Status> {
  const origin = toMs(input.createdAt) ?? input.now.getTime();
  const nowMs = input.now.getTime();

  const spans = input.steps.map((s) => {
    const start = toMs(s.startedAt);
    if (start === null) return null;
    const running = s.status === "running" || toMs(s.finishedAt) === null;
    const end = Math.max(start, toMs(s.finishedAt) ?? Math.max(nowMs, start));
    return { start: start - origin, end: end - origin, running };
  });

  // The axis ends with the run, or now while it runs; never before the last thing on it.
  const runEnd = toMs(input.finishedAt);
  const axisEnd = Math.max(runEnd !== null ? runEnd - origin : nowMs - origin, ...spans.map((s) => (s ? s.end : 0)));
  const totalMs = Math.max(1, axisEnd);

  let lastEnd = 0;
  let lastName: Name | null = null;
  const bars = input.steps.map((s, i): TimelineBar<Name, Status> => {
    const span = spans[i];
    if (!span) {
      return {
        name: s.name,
        status: s.status,
        placed: false,
        running: false,
        startMs: null,
        endMs: null,
        durationMs: null,
        leftPct: 0,
        widthPct: 0,
        wait: null,
      };
    }
    const start = Math.max(0, span.start);
    const waitMs = Math.max(0, start - lastEnd);
    const waitFrom = Math.min(lastEnd, start);
    const bar: TimelineBar<Name, Status> = {
      name: s.name,
      status: s.status,
      placed: true,
      running: span.running,
      startMs: start,
      endMs: span.end,
      durationMs: span.end - span.start,
      leftPct: pct(start, totalMs),
      widthPct: pct(span.end - start, totalMs),
      wait: { ms: waitMs, fromMs: waitFrom, after: lastName, leftPct: pct(waitFrom, totalMs), widthPct: pct(waitMs, totalMs) },
    };
    lastEnd = Math.max(lastEnd, span.end);
    lastName = s.name;
    return bar;
  });

  return { totalMs, bars };
}
