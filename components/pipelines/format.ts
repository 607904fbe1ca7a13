// Display helpers for pipelines and runs, pure so the server's HTML and the browser's re-render
// agree: one locale, UTC.

type Moment = Date | string | null | undefined;

const toMs = (d: Moment): number | null => (d === null || d === undefined ? null : typeof d === "string" ? Date.parse(d) : d.getTime());

/** Milliseconds from start to end; with no end yet, to `now` when given (a run still going). */
export function durationBetween(start: Moment, end: Moment, now?: Date): number | null {
  const a = toMs(start);
  const b = toMs(end) ?? (now ? now.getTime() : null);
  if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.max(0, b - a);
}

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const timeFormat = new Intl.DateTimeFormat("en-GB", { timeStyle: "medium", timeZone: "UTC" });

/** With seconds, for run timelines: "28 Nov 2026, 21:03:04 UTC". */
export function formatPreciseDateTime(d: Moment): string {
  const ms = toMs(d);
  return ms === null || Number.isNaN(ms) ? "—" : `${dateTimeFormat.format(ms)} UTC`;
}

/** A log line's time: "21:03:04". */
export function formatClock(d: Moment): string {
  const ms = toMs(d);
  return ms === null || Number.isNaN(ms) ? "" : timeFormat.format(ms);
}

/** A moment in a given IANA time zone, for schedules: "28 Nov 2026, 09:00 Europe/Berlin". */
export function formatInZone(d: Date, timeZone: string): string {
  try {
    return `${new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone }).format(d)} ${timeZone}`;
  } catch {
    return d.toISOString();
  }
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/**
 * "in 5 minutes", "in 34 hours", "in 3 days": for upcoming moments (next scheduled runs), where
 * rounding 34 hours to "tomorrow" would name the wrong day. Hours are kept up to two days.
 */
export function formatUntil(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, "second");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 48 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}
