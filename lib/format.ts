// The one set of display formatters, for server and client components, API messages and the
// worker alike: pure, one fixed locale and UTC, so the server's HTML and the browser's re-render
// agree and nothing depends on the host's settings.

type Moment = Date | string | null | undefined;

const toMs = (d: Moment): number | null => (d === null || d === undefined ? null : typeof d === "string" ? Date.parse(d) : d.getTime());

const countFormat = new Intl.NumberFormat("en-US");

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : countFormat.format(n);
}

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/**
 * Binary units, as the docs and the configuration (MAX_SOURCE_BYTES = 5 GiB) count them:
 * 900 → "900 bytes", 1536 → "1.5 KiB", 5 * 2 ** 30 → "5 GiB", 12_345_678 → "12 MiB".
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${Math.round(bytes)} ${Math.round(bytes) === 1 ? "byte" : "bytes"}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 ("1.5 MiB"), none above; "5.0" reads better as "5".
  const text = value < 10 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value).toString();
  // Rounding 1023.7 KiB up gives "1024 KiB": say "1 MiB" instead.
  if (text === "1024" && unit < BYTE_UNITS.length - 1) return `1 ${BYTE_UNITS[unit + 1]}`;
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** 850 → "850 ms", 12_400 → "12 s", 3_725_000 → "1 h 2 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 59.5) return `${s.toFixed(s < 9.95 ? 1 : 0)} s`;
  const totalSeconds = Math.round(s);
  const m = Math.floor(totalSeconds / 60);
  if (m < 60) return `${m} min ${totalSeconds - m * 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Milliseconds from start to end; with no end yet, to `now` when given (something still running). */
export function durationBetween(start: Moment, end: Moment, now?: Date): number | null {
  const a = toMs(start);
  const b = toMs(end) ?? (now ? now.getTime() : null);
  if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.max(0, b - a);
}

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const preciseDateTimeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const clockFormat = new Intl.DateTimeFormat("en-GB", { timeStyle: "medium", timeZone: "UTC" });

/** "28 Nov 2026, 21:03 UTC". */
export function formatDateTime(date: Date): string {
  return `${dateTimeFormat.format(date)} UTC`;
}

/** With seconds, for run timelines: "28 Nov 2026, 21:03:04 UTC". */
export function formatPreciseDateTime(d: Moment): string {
  const ms = toMs(d);
  return ms === null || Number.isNaN(ms) ? "—" : `${preciseDateTimeFormat.format(ms)} UTC`;
}

/** A log line's time: "21:03:04". */
export function formatClock(d: Moment): string {
  const ms = toMs(d);
  return ms === null || Number.isNaN(ms) ? "" : clockFormat.format(ms);
}

/** A moment in a given IANA time zone, for schedules: "28 Nov 2026, 09:00 Europe/Berlin". */
export function formatInZone(d: Date, timeZone: string): string {
  try {
    return `${new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone }).format(d)} ${timeZone}`;
  } catch {
    return d.toISOString();
  }
}

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

function relativeTime(date: Date, now: Date, maxHours: number): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relativeFormat.format(seconds, "second");
  if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), "minute");
  if (abs < maxHours * 3600) return relativeFormat.format(Math.round(seconds / 3600), "hour");
  return relativeFormat.format(Math.round(seconds / 86_400), "day");
}

/** "3 minutes ago", "yesterday": a moment in the past, relative to `now`. */
export function formatRelativeTime(date: Date, now: Date = new Date()): string {
  return relativeTime(date, now, 24);
}

/**
 * "in 5 minutes", "in 34 hours", "in 3 days": for upcoming moments (next scheduled runs), where
 * rounding 34 hours to "tomorrow" would name the wrong day. Hours are kept up to two days.
 */
export function formatUntil(date: Date, now: Date): string {
  return relativeTime(date, now, 48);
}
