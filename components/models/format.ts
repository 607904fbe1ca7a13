/** Small display helpers for models and builds; pure, so server and client render the same text. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Milliseconds between two ISO timestamps, or null while either is missing. */
export function durationBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  return new Date(end).getTime() - new Date(start).getTime();
}

/** A cell value as text; objects (json columns, test samples) as JSON. */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** "(line 3, column 14)" at the end of a compile message, as numbers. */
export function errorPosition(message: string): { line: number; column: number } | null {
  const match = /\(line (\d+), column (\d+)\)\s*$/.exec(message);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : null;
}
