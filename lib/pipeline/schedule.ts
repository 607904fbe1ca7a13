import { Cron } from "croner";
import cronstrue from "cronstrue";
import { UserError } from "@/lib/errors";
import type { Pipeline } from "@/db/schema/pipelines";

export type ScheduleInfo = { cron: string; timezone: string; description: string; nextRuns: Date[] };

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Validates a cron expression and time zone (croner), in words (cronstrue) with the next runs. */
export function describeSchedule(cron: string, timezone = "UTC", from = new Date(), count = 3): ScheduleInfo {
  const expression = cron.trim().replace(/\s+/g, " ");
  if (!isValidTimezone(timezone)) throw new UserError(`Unknown time zone ${timezone}`, 400, { scheduleTimezone: ["Unknown time zone"] });
  let job: Cron;
  try {
    job = new Cron(expression, { timezone, paused: true });
  } catch (err) {
    const message = `Invalid cron expression: ${(err as Error).message}`;
    throw new UserError(message, 400, { scheduleCron: [message] });
  }
  const nextRuns = job.nextRuns(count, from);
  job.stop();
  let description = expression;
  try {
    description = cronstrue.toString(expression, { use24HourTimeFormat: true });
  } catch {
    // croner accepts a few forms cronstrue cannot put in words; the expression itself is shown.
  }
  return { cron: expression, timezone, description: `${description} (${timezone})`, nextRuns };
}

export function nextRunAfter(cron: string, timezone: string, after: Date): Date | null {
  const job = new Cron(cron, { timezone, paused: true });
  const next = job.nextRun(after);
  job.stop();
  return next ?? null;
}

/** A pipeline's schedule in words, or null when it runs only by hand; a stored expression that no longer parses is shown as it is. */
export function scheduleInWords(p: Pick<Pipeline, "scheduleCron" | "scheduleTimezone">): string | null {
  if (!p.scheduleCron) return null;
  try {
    return describeSchedule(p.scheduleCron, p.scheduleTimezone).description;
  } catch {
    return `${p.scheduleCron} (${p.scheduleTimezone})`;
  }
}
