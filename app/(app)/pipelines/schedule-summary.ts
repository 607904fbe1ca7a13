import type { Pipeline } from "@/db/schema/pipelines";
import { describeSchedule } from "@/lib/pipeline/schedule";

/** A pipeline's schedule in words, or null when it has none; a stored expression that no longer parses is shown as it is. */
export function scheduleInWords(p: Pick<Pipeline, "scheduleCron" | "scheduleTimezone">): string | null {
  if (!p.scheduleCron) return null;
  try {
    return describeSchedule(p.scheduleCron, p.scheduleTimezone).description;
  } catch {
    return `${p.scheduleCron} (${p.scheduleTimezone})`;
  }
}
