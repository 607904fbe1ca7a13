"use client";

import { useId, useState } from "react";
import type { StepLogLine } from "@/db/schema/pipelines";
import { formatClock } from "@/lib/format";
import { cn } from "@/lib/utils";

type Level = StepLogLine["level"];
type Filter = "all" | Level;

const FILTERS: { value: Filter; label: string; none: string }[] = [
  { value: "all", label: "All", none: "No lines." },
  { value: "info", label: "Info", none: "No info lines." },
  { value: "warn", label: "Warnings", none: "No warnings." },
  { value: "error", label: "Errors", none: "No errors." },
];

/**
 * A step's whole log with a level filter. The filter is a native radio group, so Tab reaches it
 * once and the arrow keys move between levels; it survives the page's live refreshes.
 */
export function StepLog({ lines, stepName }: { lines: StepLogLine[]; stepName: string }) {
  const [filter, setFilter] = useState<Filter>("all");
  const id = useId();
  const count = (f: Filter) => (f === "all" ? lines.length : lines.filter((l) => l.level === f).length);
  const shown = filter === "all" ? lines : lines.filter((l) => l.level === filter);
  return (
    <div className="border-t">
      <fieldset className="flex flex-wrap items-center gap-x-2 gap-y-1 px-3 py-1.5" data-testid="step-log-filter">
        <legend className="sr-only">Show log lines</legend>
        <span aria-hidden="true" className="text-muted-foreground text-xs">
          Show
        </span>
        {FILTERS.map((f) => (
          <label
            key={f.value}
            className={cn(
              "has-focus-visible:ring-ring/50 cursor-pointer rounded-md border px-2 py-0.5 text-xs has-focus-visible:ring-[3px]",
              filter === f.value ? "bg-primary text-primary-foreground border-primary" : "hover:bg-muted",
            )}
          >
            <input
              type="radio"
              name={`${id}-level`}
              value={f.value}
              checked={filter === f.value}
              onChange={() => setFilter(f.value)}
              className="sr-only"
            />
            {f.label} <span className="tabular-nums">({count(f.value)})</span>
          </label>
        ))}
      </fieldset>
      {shown.length ? (
        <ol
          className="bg-muted/40 max-h-64 overflow-auto border-t px-3 py-2 font-mono text-xs leading-relaxed"
          data-testid={`step-${stepName}-log`}
          aria-label={`${FILTERS.find((f) => f.value === filter)!.label} log lines`}
        >
          {shown.map((line, n) => (
            <li
              key={`${line.at}-${n}`}
              data-testid="step-log"
              data-level={line.level}
              className={cn(
                "break-words whitespace-pre-wrap",
                line.level === "error" && "text-destructive",
                line.level === "warn" && "text-amber-800 dark:text-amber-300",
              )}
            >
              <time dateTime={line.at} className="text-muted-foreground mr-2">
                {formatClock(line.at)}
              </time>
              {line.level !== "info" ? <span className="mr-1 uppercase">{line.level}</span> : null}
              {line.message}
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-muted-foreground border-t px-3 py-2 text-xs" role="status">
          {FILTERS.find((f) => f.value === filter)!.none}
        </p>
      )}
    </div>
  );
}
