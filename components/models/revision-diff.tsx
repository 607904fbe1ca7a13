import { diffLines } from "diff";
import { cn } from "@/lib/utils";

/** A line diff as +/- lines: removed lines (only in `before`) red, added lines green. */
export function RevisionDiff({ before, after, caption }: { before: string; after: string; caption: string }) {
  const parts = diffLines(before, after);
  const changed = parts.some((p) => p.added || p.removed);
  if (!changed) {
    return (
      <p className="text-muted-foreground text-sm" data-testid="revision-diff">
        No differences.
      </p>
    );
  }
  return (
    <figure className="flex flex-col gap-2" data-testid="revision-diff">
      <figcaption className="text-muted-foreground text-xs">{caption}</figcaption>
      <pre
        className="bg-muted/40 max-h-96 overflow-auto rounded-md border p-2 font-mono text-xs leading-5"
        tabIndex={0}
        aria-label={caption}
      >
        {parts.flatMap((part, i) => {
          const lines = part.value.replace(/\n$/, "").split("\n");
          const sign = part.added ? "+" : part.removed ? "-" : " ";
          return lines.map((line, j) => (
            <div
              key={`${i}-${j}`}
              className={cn(
                "px-1 whitespace-pre-wrap break-all",
                part.added && "bg-emerald-500/15 text-emerald-900 dark:text-emerald-200",
                part.removed && "bg-red-500/15 text-red-900 dark:text-red-200",
                !part.added && !part.removed && "text-muted-foreground",
              )}
            >
              <span className="inline-block w-4 select-none">{sign}</span>
              {line}
            </div>
          ));
        })}
      </pre>
    </figure>
  );
}
