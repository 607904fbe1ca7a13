import { BoxesIcon, CircleHelpIcon, DatabaseIcon, HashIcon, WorkflowIcon, type LucideIcon } from "lucide-react";
import type { LineageKind } from "@/lib/lineage/graph";

export type KindStyle = { label: string; icon: LucideIcon; className: string; swatch: string };

/**
 * One look per kind, shared by the nodes and the legend: colour, icon and a word, so a kind is
 * never told by colour alone. Each has a dark-mode pair.
 */
export const KIND_STYLES: Record<LineageKind, KindStyle> = {
  dataset: {
    label: "dataset",
    icon: DatabaseIcon,
    className: "border-sky-600/60 bg-sky-50 text-sky-950 dark:bg-sky-950/60 dark:text-sky-100",
    swatch: "border-sky-600/60 bg-sky-50 dark:bg-sky-950/60",
  },
  model: {
    label: "model",
    icon: BoxesIcon,
    className: "border-violet-600/60 bg-violet-50 text-violet-950 dark:bg-violet-950/60 dark:text-violet-100",
    swatch: "border-violet-600/60 bg-violet-50 dark:bg-violet-950/60",
  },
  pipeline: {
    label: "pipeline",
    icon: WorkflowIcon,
    className: "rounded-3xl border-amber-600/70 bg-amber-50 text-amber-950 dark:bg-amber-950/60 dark:text-amber-100",
    swatch: "rounded-full border-amber-600/70 bg-amber-50 dark:bg-amber-950/60",
  },
  destination: {
    label: "Slack channel",
    icon: HashIcon,
    className: "border-emerald-600/70 bg-emerald-50 text-emerald-950 dark:bg-emerald-950/60 dark:text-emerald-100",
    swatch: "border-emerald-600/70 bg-emerald-50 dark:bg-emerald-950/60",
  },
  missing: {
    label: "missing",
    icon: CircleHelpIcon,
    className: "border-dashed border-muted-foreground/60 bg-background text-muted-foreground",
    swatch: "border-dashed border-muted-foreground/60 bg-background",
  },
};

export const FAILED_CLASS = "border-red-600 bg-red-50 text-red-950 dark:border-red-500 dark:bg-red-950/60 dark:text-red-100";
/** Dimmed by contrast-safe colours, not opacity: dimmed names stay readable (and axe-clean). */
export const DIMMED_CLASS = "border-border bg-background text-muted-foreground shadow-none";
