"use client";

import { useId, useState } from "react";
import { SearchIcon } from "lucide-react";
import { cn } from "@/lib/utils";
import { Input } from "@/components/ui/input";
import type { LineageNodeSpec } from "@/lib/lineage/graph";
import { searchLineage } from "@/lib/lineage/focus";
import { KIND_STYLES } from "./lineage-kinds";

const MAX_MATCHES = 8;

/**
 * A combobox over every node (shown or hidden): the text typed is reported as it changes (the graph
 * dims what does not match), ArrowUp/ArrowDown move through the matches, Enter or a click picks one
 * and Escape clears. The ARIA 1.2 combobox pattern, with the active option by aria-activedescendant.
 */
export function LineageSearch({
  nodes,
  query,
  onQueryChange,
  onPick,
}: {
  nodes: readonly LineageNodeSpec[];
  query: string;
  onQueryChange: (query: string) => void;
  onPick: (node: LineageNodeSpec) => void;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const matches = searchLineage(nodes, query, MAX_MATCHES);
  const expanded = open && query.trim() !== "";
  const current = Math.min(active, Math.max(matches.length - 1, 0));

  const pick = (node: LineageNodeSpec | undefined) => {
    if (!node) return;
    onPick(node);
    onQueryChange("");
    setOpen(false);
    setActive(0);
  };

  return (
    <div className="relative w-full sm:w-80">
      <label htmlFor={id} className="sr-only">
        Find a node
      </label>
      <SearchIcon className="text-muted-foreground pointer-events-none absolute top-2.5 left-2.5 size-4" aria-hidden="true" />
      <Input
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        placeholder="Find a dataset, model, pipeline…"
        className="pl-8"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && matches.length ? `${id}-opt-${current}` : undefined}
        value={query}
        onChange={(e) => {
          onQueryChange(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            setOpen(true);
            if (matches.length) setActive((current + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length);
          } else if (e.key === "Enter") {
            e.preventDefault();
            if (expanded) pick(matches[current]);
          } else if (e.key === "Escape") {
            onQueryChange("");
            setOpen(false);
          }
        }}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Matching nodes"
        hidden={!expanded}
        className="bg-popover text-popover-foreground absolute top-full right-0 left-0 z-20 mt-1 max-h-72 overflow-auto rounded-md border p-1 shadow-md"
      >
        {matches.map((node, i) => {
          const style = KIND_STYLES[node.kind];
          const Icon = style.icon;
          return (
            <li
              key={node.id}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === current}
              // mousedown, not click: the input's blur would close the list before a click lands.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(node);
              }}
              onMouseMove={() => setActive(i)}
              className={cn(
                "flex cursor-pointer items-center gap-2 rounded-sm px-2 py-1.5 text-sm",
                i === current && "bg-accent text-accent-foreground",
              )}
            >
              <Icon className="size-4 shrink-0" aria-hidden="true" />
              <span className="min-w-0 flex-1 truncate">{node.name}</span>
              <span className="text-muted-foreground text-xs">{style.label}</span>
            </li>
          );
        })}
        {matches.length === 0 ? (
          <li role="option" aria-selected={false} aria-disabled="true" className="text-muted-foreground px-2 py-1.5 text-sm">
            No node matches “{query.trim()}”
          </li>
        ) : null}
      </ul>
    </div>
  );
}
