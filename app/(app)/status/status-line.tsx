import Link from "next/link";
import type { ReactNode } from "react";
import { CircleAlertIcon, CircleCheckIcon, LoaderCircleIcon, TriangleAlertIcon } from "lucide-react";
import { getServiceStatus } from "@/lib/health";
import { getLogger } from "@/lib/log";
import { cn } from "@/lib/utils";
import { summarizeServiceStatus, type StatusSummary } from "./summary";

const LOOK: Record<StatusSummary["level"], { icon: typeof CircleCheckIcon; className: string }> = {
  ok: { icon: CircleCheckIcon, className: "text-emerald-700 dark:text-emerald-400" },
  warn: { icon: TriangleAlertIcon, className: "text-amber-800 dark:text-amber-300" },
  error: { icon: CircleAlertIcon, className: "text-destructive" },
};

/** The dashboard's one line about the service, linking to /status for the details. */
export async function ServiceStatusLine() {
  let summary: StatusSummary;
  try {
    summary = summarizeServiceStatus(await getServiceStatus());
  } catch (err) {
    getLogger().warn({ err }, "dashboard: service status could not be read");
    summary = { level: "error", text: "Service status unavailable" };
  }
  const { icon: Icon, className } = LOOK[summary.level];
  return (
    <Line testId="service-status-line" level={summary.level}>
      <span className={cn("flex items-center gap-1.5 font-medium", className)}>
        <Icon className="size-4 shrink-0" aria-hidden="true" />
        {summary.text}
      </span>
    </Line>
  );
}

/** Shown while the checks (each up to 3 s) answer; the rest of the dashboard does not wait for them. */
export function ServiceStatusLineSkeleton() {
  return (
    <Line level="pending">
      <span className="text-muted-foreground flex items-center gap-1.5">
        <LoaderCircleIcon className="size-4 shrink-0 animate-spin motion-reduce:animate-none" aria-hidden="true" />
        Checking the service…
      </span>
    </Line>
  );
}

function Line({ testId, level, children }: { testId?: string; level: StatusSummary["level"] | "pending"; children: ReactNode }) {
  return (
    <p data-testid={testId} data-level={level} className="flex flex-wrap items-center gap-x-1.5 gap-y-1 text-sm">
      {children}
      <span aria-hidden="true" className="text-muted-foreground">
        ·
      </span>
      <Link href="/status" className="underline underline-offset-4">
        Status
      </Link>
    </p>
  );
}
