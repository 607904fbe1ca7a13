import { CircleAlertIcon, CircleCheckIcon, TriangleAlertIcon } from "lucide-react";
import type { FreshnessState } from "@/db/schema/datasets";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

const LABELS: Record<FreshnessState, string> = { ok: "Fresh", warn: "Getting stale", error: "Stale" };

export function freshnessLabel(state: FreshnessState): string {
  return LABELS[state];
}

/** A dataset's freshness as a pill, coloured like the status badges: fresh green, stale red, amber between. */
export function FreshnessBadge({ state, className }: { state: FreshnessState; className?: string }) {
  const Icon = state === "error" ? CircleAlertIcon : state === "warn" ? TriangleAlertIcon : CircleCheckIcon;
  return (
    <Badge
      variant={state === "error" ? "destructive" : "outline"}
      className={cn(
        state === "ok" && "border-emerald-600/40 text-emerald-800 dark:text-emerald-300",
        state === "warn" && "border-amber-500/50 bg-amber-50 text-amber-900 dark:bg-amber-950/30 dark:text-amber-200",
        className,
      )}
    >
      <Icon aria-hidden="true" />
      {LABELS[state]}
    </Badge>
  );
}
