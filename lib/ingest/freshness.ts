import { add, formatDistanceStrict, type Duration } from "date-fns";
import { parse as parseIsoDuration } from "tinyduration";
import type { FreshnessConfig, FreshnessState } from "@/db/schema/datasets";

/**
 * Source freshness, as dbt has it: how long since the dataset's content last changed (its current
 * version was first stored), against `warnAfter` / `errorAfter` ISO-8601 durations. Pure: the
 * scheduled check (freshness-check.ts) and every page judge with the same function.
 */

export type FreshnessVerdict = {
  /** null: no thresholds, or nothing loaded yet. */
  state: FreshnessState | null;
  changedAt: string | null;
  /** "2 days", for people. */
  age: string | null;
  reason: string;
};

/** A duration's parts, or a message saying what is wrong with the text (for zod). */
export function parseFreshnessDuration(text: string): { ok: true; duration: Duration } | { ok: false; message: string } {
  try {
    const { negative, ...duration } = parseIsoDuration(text.trim());
    if (negative) return { ok: false, message: "A freshness duration cannot be negative" };
    const probe = add(new Date(0), duration);
    if (probe.getTime() <= 0) return { ok: false, message: "A freshness duration must be longer than zero" };
    return { ok: true, duration };
  } catch {
    return { ok: false, message: `"${text}" is not an ISO-8601 duration: write e.g. PT6H (6 hours), P1D (1 day), P1DT12H` };
  }
}

function deadline(changedAt: Date, text: string | null | undefined): Date | null {
  if (!text) return null;
  const parsed = parseFreshnessDuration(text);
  return parsed.ok ? add(changedAt, parsed.duration) : null;
}

export function judgeFreshness(config: FreshnessConfig | null | undefined, changedAt: Date | null, now: Date): FreshnessVerdict {
  if (!config || (!config.warnAfter && !config.errorAfter)) {
    return { state: null, changedAt: changedAt?.toISOString() ?? null, age: null, reason: "no freshness thresholds" };
  }
  if (!changedAt) return { state: null, changedAt: null, age: null, reason: "nothing loaded yet" };
  const age = formatDistanceStrict(changedAt, now);
  const errorAt = deadline(changedAt, config.errorAfter);
  const warnAt = deadline(changedAt, config.warnAfter);
  // Strictly older than the threshold, as dbt's warn_after / error_after.
  if (errorAt && now > errorAt)
    return { state: "error", changedAt: changedAt.toISOString(), age, reason: `unchanged for ${age} (error after ${config.errorAfter})` };
  if (warnAt && now > warnAt)
    return { state: "warn", changedAt: changedAt.toISOString(), age, reason: `unchanged for ${age} (warn after ${config.warnAfter})` };
  return { state: "ok", changedAt: changedAt.toISOString(), age, reason: `changed ${age} ago` };
}
