/** Small helpers for model results and compile messages; durations and sizes are in lib/format. */

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
