import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

/** What an empty list shows: what goes here, what it is for, and the one next step. */
export function EmptyState({
  icon: Icon,
  title,
  description,
  children,
  className,
}: {
  icon: LucideIcon;
  title: string;
  description: ReactNode;
  children?: ReactNode;
  className?: string;
}) {
  return (
    <section
      aria-labelledby="empty-state-title"
      className={cn("flex flex-col items-center gap-4 rounded-xl border border-dashed px-6 py-12 text-center", className)}
    >
      <div className="bg-muted flex size-12 items-center justify-center rounded-full">
        <Icon className="text-muted-foreground size-6" aria-hidden="true" />
      </div>
      <div className="flex max-w-md flex-col gap-1.5">
        <h2 id="empty-state-title" className="text-lg font-semibold">
          {title}
        </h2>
        <p className="text-muted-foreground text-sm">{description}</p>
      </div>
      {children ? <div className="flex flex-wrap items-center justify-center gap-2">{children}</div> : null}
    </section>
  );
}
