"use client";

import { useEffect, useRef, useState } from "react";
import { LoaderCircleIcon } from "lucide-react";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { NativeSelect } from "@/components/pipelines/native-select";
import { describeScheduleAction, type ScheduleHint } from "./actions";

const DEBOUNCE_MS = 400;
const OTHER = "__other__";

export const COMMON_TIME_ZONES = [
  "UTC",
  "Europe/London",
  "Europe/Dublin",
  "Europe/Lisbon",
  "Europe/Paris",
  "Europe/Berlin",
  "Europe/Amsterdam",
  "Europe/Madrid",
  "Europe/Rome",
  "Europe/Stockholm",
  "Europe/Warsaw",
  "Europe/Athens",
  "Europe/Helsinki",
  "Europe/Istanbul",
  "Africa/Lagos",
  "Africa/Johannesburg",
  "Asia/Dubai",
  "Asia/Kolkata",
  "Asia/Singapore",
  "Asia/Shanghai",
  "Asia/Tokyo",
  "Asia/Seoul",
  "Australia/Sydney",
  "Pacific/Auckland",
  "America/Sao_Paulo",
  "America/Mexico_City",
  "America/New_York",
  "America/Toronto",
  "America/Chicago",
  "America/Denver",
  "America/Phoenix",
  "America/Los_Angeles",
  "America/Anchorage",
  "Pacific/Honolulu",
];

const PRESETS: { cron: string; label: string }[] = [
  { cron: "0 * * * *", label: "Every hour" },
  { cron: "0 9 * * *", label: "Daily at 09:00" },
  { cron: "0 9 * * 1-5", label: "Weekdays at 09:00" },
  { cron: "0 9 * * 1", label: "Mondays at 09:00" },
];

type Hint = ActionResult<ScheduleHint> | null;

/**
 * Cron expression and time zone, with a live "in words + next three runs" line under them: one
 * server request per pause in typing, answers to older requests dropped.
 */
export function ScheduleFields({
  cron,
  timezone,
  onChange,
  errors,
  disabled,
}: {
  cron: string;
  timezone: string;
  onChange: (next: { cron?: string; timezone?: string }) => void;
  errors?: { cron?: string[]; timezone?: string[] };
  disabled?: boolean;
}) {
  const common = COMMON_TIME_ZONES.includes(timezone);
  // "Other" stays chosen while typing, even when the typed name happens to match a listed zone.
  const [other, setOther] = useState(!common);
  const zoneChoice = other ? OTHER : timezone;

  const [hint, setHint] = useState<Hint>(null);
  const [waiting, setWaiting] = useState(false);
  const sequence = useRef(0);
  const trimmed = cron.trim();
  const zone = timezone.trim() || "UTC";
  useEffect(() => {
    const mine = ++sequence.current;
    if (!trimmed) {
      setHint(null);
      setWaiting(false);
      return;
    }
    setWaiting(true);
    const timer = setTimeout(async () => {
      let answer: Hint;
      try {
        answer = await describeScheduleAction(trimmed, zone);
      } catch {
        answer = { ok: false, formError: "Could not reach the server to check the schedule" };
      }
      if (mine !== sequence.current) return;
      setHint(answer);
      setWaiting(false);
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [trimmed, zone]);

  // The live check's own messages beside the fields; the save's messages win when present.
  const cronErrors = errors?.cron ?? (hint && !hint.ok ? hint.fieldErrors?.scheduleCron : undefined);
  const zoneErrors = errors?.timezone ?? (hint && !hint.ok ? hint.fieldErrors?.scheduleTimezone : undefined);
  const otherError =
    hint && !hint.ok && !hint.fieldErrors?.scheduleCron && !hint.fieldErrors?.scheduleTimezone ? hint.formError : undefined;

  return (
    <fieldset className="flex flex-col gap-4" disabled={disabled}>
      <legend className="mb-1 text-base font-semibold">Schedule</legend>
      <div className="grid gap-4 md:grid-cols-2">
        <div className="flex flex-col gap-2">
          <Label htmlFor="pipeline-cron">Cron expression (optional)</Label>
          <Input
            id="pipeline-cron"
            value={cron}
            onChange={(e) => onChange({ cron: e.target.value })}
            placeholder="0 9 * * 1-5"
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
            aria-invalid={cronErrors?.length ? true : undefined}
            aria-describedby={describedBy(
              cronErrors?.length ? "pipeline-cron-error" : undefined,
              "pipeline-cron-hint",
              "pipeline-schedule-live",
            )}
          />
          <p id="pipeline-cron-hint" className="text-muted-foreground text-xs">
            Minute, hour, day of month, month, day of week. Leave empty to run only by hand or through the API.
          </p>
          <div className="flex flex-wrap gap-1.5" role="group" aria-label="Schedule presets">
            {PRESETS.map((p) => (
              <Button
                key={p.cron}
                type="button"
                variant="secondary"
                size="sm"
                className="h-7 rounded-full px-2.5 text-xs"
                onClick={() => onChange({ cron: p.cron })}
              >
                {p.label}
              </Button>
            ))}
          </div>
          <FieldErrors id="pipeline-cron-error" errors={cronErrors} />
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="pipeline-timezone">Time zone</Label>
          <NativeSelect
            id="pipeline-timezone"
            value={zoneChoice}
            onChange={(e) => {
              const value = e.target.value;
              if (value === OTHER) {
                setOther(true);
              } else {
                setOther(false);
                onChange({ timezone: value });
              }
            }}
            aria-describedby="pipeline-timezone-hint"
          >
            {COMMON_TIME_ZONES.map((tz) => (
              <option key={tz} value={tz}>
                {tz}
              </option>
            ))}
            <option value={OTHER}>Another time zone…</option>
          </NativeSelect>
          <p id="pipeline-timezone-hint" className="text-muted-foreground text-xs">
            The cron expression is read in this zone, daylight saving included.
          </p>
          {other ? (
            <>
              <Label htmlFor="pipeline-timezone-other">Time zone name (IANA)</Label>
              <Input
                id="pipeline-timezone-other"
                value={timezone}
                onChange={(e) => onChange({ timezone: e.target.value })}
                placeholder="America/Argentina/Buenos_Aires"
                autoComplete="off"
                spellCheck={false}
                className="font-mono"
                aria-invalid={zoneErrors?.length ? true : undefined}
                aria-describedby={describedBy(zoneErrors?.length ? "pipeline-timezone-error" : undefined)}
              />
            </>
          ) : null}
          <FieldErrors id="pipeline-timezone-error" errors={zoneErrors} />
        </div>
      </div>

      <div id="pipeline-schedule-live" role="status" aria-live="polite" className="bg-muted/40 rounded-md border px-3 py-2 text-sm">
        {!trimmed ? (
          <p className="text-muted-foreground">No schedule: this pipeline runs only when started by hand or through the API.</p>
        ) : waiting && !hint ? (
          <p className="text-muted-foreground flex items-center gap-1.5">
            <LoaderCircleIcon aria-hidden="true" className="size-3.5 animate-spin motion-reduce:animate-none" />
            Checking the schedule…
          </p>
        ) : hint?.ok ? (
          <div className={waiting ? "opacity-70" : undefined}>
            <p className="font-medium" data-testid="schedule-description">
              {hint.data.description}
            </p>
            <p className="text-muted-foreground mt-1 text-xs">Next runs:</p>
            <ol data-testid="schedule-next-runs" className="mt-0.5 list-inside list-decimal text-xs tabular-nums">
              {hint.data.nextRuns.map((r) => (
                <li key={r.iso}>
                  <time dateTime={r.iso}>{r.text}</time>
                </li>
              ))}
            </ol>
          </div>
        ) : hint && !hint.ok ? (
          <p className="text-destructive">{otherError ?? "Fix the schedule to see when it runs."}</p>
        ) : null}
      </div>
    </fieldset>
  );
}
