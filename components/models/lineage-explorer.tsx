"use client";

import { useMemo, useState } from "react";
import { useSearchParams } from "next/navigation";
import { CrosshairIcon, XIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import type { Lineage } from "@/lib/lineage/graph";
import { DEFAULT_DEPTH, DEPTH_CHOICES, lineageView, parseDepth, parseFocus, type Depth } from "@/lib/lineage/focus";
import { LineageGraph } from "./lineage-graph";
import { LineageList } from "./lineage-list";
import { LineageSearch } from "./lineage-search";
import { FAILED_CLASS, KIND_STYLES } from "./lineage-kinds";

/**
 * The lineage page's interactive part. Focus and depth live in the URL (`?focus=<kind>:<name>&depth=`)
 * so a link from a dataset, model or pipeline opens focused and Back returns to the previous focus;
 * the search text and the selection are the page's own state.
 */
export function LineageExplorer({ lineage }: { lineage: Lineage }) {
  const params = useSearchParams();
  const focus = parseFocus(params.get("focus"));
  const depth = parseDepth(params.get("depth"));
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const view = useMemo(() => lineageView(lineage, { focus, depth, query, selected }), [lineage, focus, depth, query, selected]);
  const byId = useMemo(() => new Map(lineage.nodes.map((n) => [n.id, n])), [lineage]);
  const focusedNode = view.focus ? byId.get(view.focus)! : null;
  const selectedNode = selected && view.state.has(selected) ? byId.get(selected)! : null;
  // A new shown set remounts the canvas, which then fits it; a selection keeps the viewport.
  const canvasKey = view.nodes.map((n) => n.id).join("|");

  const navigate = (next: { focus: string | null; depth: Depth }) => {
    const search = new URLSearchParams();
    if (next.focus) search.set("focus", next.focus);
    if (next.depth !== DEFAULT_DEPTH) search.set("depth", String(next.depth));
    const qs = search.toString();
    // Next's router follows the History API, so useSearchParams updates without a server round trip.
    window.history.pushState(null, "", `${window.location.pathname}${qs ? `?${qs}` : ""}`);
    setSelected(null);
  };

  return (
    <section aria-labelledby="lineage-graph-heading" className="flex min-w-0 flex-col gap-3">
      <h2 id="lineage-graph-heading" className="sr-only">
        Graph
      </h2>
      <div className="flex flex-wrap items-center gap-3">
        <LineageSearch
          nodes={lineage.nodes}
          query={query}
          onQueryChange={setQuery}
          onPick={(node) => navigate({ focus: node.id, depth })}
        />
        <label className="flex items-center gap-2 text-sm">
          Levels up and down
          <select
            value={String(depth)}
            onChange={(e) => navigate({ focus: view.focus, depth: parseDepth(e.target.value) })}
            disabled={!view.focus}
            className="border-input dark:bg-input/30 focus-visible:ring-ring/50 h-9 rounded-md border bg-transparent px-2 text-sm outline-none focus-visible:ring-[3px] disabled:opacity-60"
          >
            {DEPTH_CHOICES.map((d) => (
              <option key={String(d)} value={String(d)}>
                {d === "all" ? "All" : d}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div className="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm" aria-live="polite" data-testid="lineage-status">
        {focusedNode ? (
          <>
            <span>
              Focused on <span className="font-medium">{focusedNode.name}</span> ({KIND_STYLES[focusedNode.kind].label}):{" "}
              {depth === "all" ? "everything connected" : `${depth} ${depth === 1 ? "level" : "levels"} up and down`}, {view.nodes.length}{" "}
              of {lineage.nodes.length} nodes shown.
            </span>
            <Button variant="outline" size="sm" onClick={() => navigate({ focus: null, depth })}>
              Show the whole graph
            </Button>
          </>
        ) : (
          <span className="text-muted-foreground">
            All {lineage.nodes.length} nodes. Search, or select a node and focus on it, to see its neighbourhood.
          </span>
        )}
        {selectedNode ? (
          <span className="flex flex-wrap items-center gap-2" data-testid="lineage-selection">
            <span>
              Selected <span className="font-medium">{selectedNode.name}</span>: its upstream and downstream are highlighted.
            </span>
            {selectedNode.id !== view.focus ? (
              <Button variant="outline" size="sm" onClick={() => navigate({ focus: selectedNode.id, depth })}>
                <CrosshairIcon aria-hidden="true" />
                Focus here
              </Button>
            ) : null}
            <Button variant="ghost" size="sm" onClick={() => setSelected(null)}>
              <XIcon aria-hidden="true" />
              Clear selection
            </Button>
          </span>
        ) : null}
      </div>

      <LineageGraph
        key={canvasKey}
        view={view}
        labelledBy="lineage-graph-heading"
        onSelect={(id) => setSelected((current) => (id === null || id === current ? null : id))}
      />
      <Legend />

      <details className="rounded-xl border p-4">
        <summary className="cursor-pointer text-sm font-medium">The shown graph as a list</summary>
        <div className="mt-3">
          <LineageList view={view} />
        </div>
      </details>
    </section>
  );
}

function Legend() {
  const swatch = "size-3.5 shrink-0 rounded-sm border-2";
  return (
    <ul className="text-muted-foreground flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Legend">
      {(["dataset", "model", "pipeline", "destination", "missing"] as const).map((kind) => (
        <li key={kind} className="flex items-center gap-1.5">
          <span className={cn(swatch, KIND_STYLES[kind].swatch)} aria-hidden="true" />
          {KIND_STYLES[kind].label}
        </li>
      ))}
      <li className="flex items-center gap-1.5">
        <span className={cn(swatch, FAILED_CLASS)} aria-hidden="true" />
        last build failed
      </li>
      <li className="flex items-center gap-1.5">
        <span className={cn(swatch, "outline-foreground outline-2 outline-offset-2 outline-dashed")} aria-hidden="true" />
        focused
      </li>
      <li className="flex items-center gap-1.5">
        <span className={cn(swatch, "border-sky-500 ring-2 ring-sky-500/70")} aria-hidden="true" />
        selected, with its path
      </li>
      <li className="flex items-center gap-1.5">
        <span aria-hidden="true" className="bg-background text-foreground rounded-full border px-1 leading-4">
          +n
        </span>
        more beyond the depth
      </li>
    </ul>
  );
}
