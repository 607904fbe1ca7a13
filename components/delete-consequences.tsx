import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

/** One line of a delete dialog: what happens to a kind of dependent, and which ones. */
export type Consequence = {
  /** Stable key; the line's test id is `consequence-<id>`. */
  id: string;
  text: ReactNode;
  names?: string[];
  /** Something that breaks rather than goes quietly. */
  warn?: boolean;
};

/** Names shown per line before "and N more": a dialog stays readable with hundreds of dependents. */
const SHOWN = 12;

/** What a delete takes with it and what it breaks, for the body of a destructive confirmation. */
export function DeleteConsequences({ items, className }: { items: Consequence[]; className?: string }) {
  return (
    <ul className={cn("grid gap-2 text-sm", className)} data-testid="delete-consequences">
      {items.map((item) => (
        <li key={item.id} data-testid={`consequence-${item.id}`} className={cn("grid gap-1", item.warn && "text-destructive")}>
          <span>{item.text}</span>
          {item.names?.length ? (
            <ul className="text-foreground list-disc pl-5 font-mono text-xs break-all">
              {item.names.slice(0, SHOWN).map((name) => (
                <li key={name}>{name}</li>
              ))}
              {item.names.length > SHOWN ? <li className="text-muted-foreground list-none">and {item.names.length - SHOWN} more</li> : null}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** "1 run" / "3 runs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}
