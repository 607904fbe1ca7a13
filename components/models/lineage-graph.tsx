"use client";

import "@xyflow/react/dist/style.css";
import { createContext, useContext, useLayoutEffect, useMemo, useRef, useState } from "react";
import Link from "next/link";
import { useTheme } from "next-themes";
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { ArrowUpRightIcon, CircleAlertIcon } from "lucide-react";
import { cn } from "@/lib/utils";
import type { LineageNodeSpec } from "@/lib/lineage/graph";
import type { LineageView, NodeView } from "@/lib/lineage/focus";
import { initialViewport, layoutLineage, NODE_HEIGHT, NODE_WIDTH, readingOrder } from "./lineage-layout";
import { DIMMED_CLASS, FAILED_CLASS, KIND_STYLES } from "./lineage-kinds";

type LineageFlowNode = Node<{ spec: LineageNodeSpec; view: NodeView }, "lineage">;

/** The node's select handler, passed by context so node data stays plain and memo-friendly. */
const SelectContext = createContext<(id: string) => void>(() => {});

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function LineageNode({ data: { spec, view } }: NodeProps<LineageFlowNode>) {
  const onSelect = useContext(SelectContext);
  const style = KIND_STYLES[spec.kind];
  const failed = spec.status === "failed";
  const Icon = style.icon;
  return (
    <div
      // Dataset and model names are unique together; a pipeline may share its dataset's name.
      data-testid={
        spec.kind === "pipeline" || spec.kind === "destination" ? `lineage-${spec.kind}-${spec.name}` : `lineage-node-${spec.name}`
      }
      data-node-id={spec.id}
      data-kind={spec.kind}
      data-status={spec.status ?? undefined}
      data-level={view.level ?? undefined}
      data-focused={view.focused || undefined}
      data-selected={view.selected || undefined}
      data-on-path={view.onPath || undefined}
      data-dimmed={view.dimmed ? "true" : "false"}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
      className={cn(
        "relative flex items-center rounded-lg border-2 shadow-sm transition-colors",
        style.className,
        failed && FAILED_CLASS,
        view.dimmed && DIMMED_CLASS,
        view.focused && "outline-foreground outline-2 outline-offset-4 outline-dashed",
        view.selected && "ring-4 ring-sky-500/70 dark:ring-sky-400/70",
        view.onPath && !view.selected && "shadow-md",
      )}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!opacity-0" />
      <button
        type="button"
        aria-pressed={view.selected}
        title={`${spec.name}: select to highlight its upstream and downstream`}
        onClick={() => onSelect(spec.id)}
        className="focus-visible:ring-ring/70 flex h-full min-w-0 flex-1 items-center gap-2 rounded-md py-1 pl-3 text-left outline-none focus-visible:ring-[3px]"
      >
        <Icon className="size-4 shrink-0 opacity-80" aria-hidden="true" />
        <span className="flex min-w-0 flex-col">
          <span className="truncate text-sm font-medium">{spec.name}</span>
          <span className="truncate text-xs">
            {style.label}
            {spec.note ? ` · ${spec.note}` : ""}
            {view.focused ? <span className="sr-only"> (focused)</span> : null}
          </span>
        </span>
        {failed ? (
          <CircleAlertIcon role="img" aria-label="last build failed" className="ml-auto size-4 shrink-0 text-red-700 dark:text-red-400" />
        ) : null}
      </button>
      {spec.href ? (
        <Link
          href={spec.href}
          aria-label={`Open ${style.label} ${spec.name}`}
          title={`Open ${spec.name}`}
          className="hover:bg-foreground/10 focus-visible:ring-ring/70 mr-1 grid size-8 shrink-0 place-items-center rounded-md outline-none focus-visible:ring-[3px]"
        >
          <ArrowUpRightIcon className="size-4" aria-hidden="true" />
        </Link>
      ) : null}
      {view.hiddenUp ? <MoreBadge side="left" count={view.hiddenUp} direction="upstream" /> : null}
      {view.hiddenDown ? <MoreBadge side="right" count={view.hiddenDown} direction="downstream" /> : null}
      <Handle type="source" position={Position.Right} isConnectable={false} className="!opacity-0" />
    </div>
  );
}

/** A hint at the node's edge that the depth hides some of its neighbours. */
function MoreBadge({ side, count, direction }: { side: "left" | "right"; count: number; direction: string }) {
  const text = `${plural(count, "more node")} ${direction}, hidden by the depth`;
  return (
    <span
      title={text}
      data-testid={`lineage-more-${direction}`}
      className={cn(
        // On the node's top corners, inside its width: outside it, fitView would not leave room for them.
        "bg-background text-foreground absolute -top-2.5 rounded-full border px-1.5 text-[11px] leading-4 font-medium tabular-nums",
        side === "left" ? "left-2" : "right-2",
      )}
    >
      <span aria-hidden="true">+{count}</span>
      <span className="sr-only">{text}</span>
    </span>
  );
}

const nodeTypes = { lineage: LineageNode };
/** Sky 500: visible on the light and the dark canvas alike. */
const PATH_COLOUR = "#0ea5e9";

/**
 * The shown part of the lineage, left to right. Each node is a button (select: its upstream and
 * downstream light up, the rest dims) and a link to its page; Tab reaches both, in reading order.
 * React Flow's own node focus and selection are off so there are no extra, unlabelled stops.
 * The canvas is remounted (by key, from the caller) when the shown set changes, so it fits anew.
 */
export function LineageGraph({
  view,
  labelledBy,
  onSelect,
}: {
  view: LineageView;
  labelledBy: string;
  onSelect: (id: string | null) => void;
}) {
  const { resolvedTheme } = useTheme();
  const layout = useMemo(() => layoutLineage(view.nodes, view.edges), [view.nodes, view.edges]);
  const nodes = useMemo(
    () =>
      readingOrder(
        view.nodes.map((spec): LineageFlowNode => ({
          id: spec.id,
          type: "lineage",
          position: layout.get(spec.id) ?? { x: 0, y: 0 },
          data: { spec, view: view.state.get(spec.id)! },
          width: NODE_WIDTH,
          height: NODE_HEIGHT,
          draggable: false,
          selectable: false,
          connectable: false,
          focusable: false,
        })),
      ),
    [view, layout],
  );
  const edges = useMemo(
    (): Edge[] =>
      view.edges.map((edge) => ({
        id: `${edge.from}->${edge.to}`,
        source: edge.from,
        target: edge.to,
        focusable: false,
        selectable: false,
        style: {
          opacity: edge.dimmed ? 0.25 : 1,
          strokeWidth: edge.onPath ? 2.5 : 1.5,
          ...(edge.onPath ? { stroke: PATH_COLOUR } : {}),
        },
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, ...(edge.onPath ? { color: PATH_COLOUR } : {}) },
      })),
    [view.edges],
  );

  // The first viewport is computed from the canvas's size, so it is measured before React Flow mounts.
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useLayoutEffect(() => {
    const rect = box.current!.getBoundingClientRect();
    setSize({ width: rect.width, height: rect.height });
  }, []);
  const viewport = useMemo(
    () => (size ? initialViewport(nodes, size, view.focus) : null),
    // Only the first one counts (defaultViewport); later selections must not recompute it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [size],
  );

  return (
    <div
      ref={box}
      className="bg-card h-[62svh] min-h-80 w-full overflow-hidden rounded-xl border"
      role="group"
      aria-labelledby={labelledBy}
      data-testid="lineage-canvas"
      onKeyDown={(e) => {
        if (e.key === "Escape") onSelect(null);
      }}
    >
      <SelectContext.Provider value={(id) => onSelect(id)}>
        {viewport ? (
          <ReactFlow
            defaultViewport={viewport}
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            // Also what gives nodes pointer events at all (they are neither draggable nor selectable):
            // a click on the node's body selects it; its button and link handle their own.
            onNodeClick={(event, node) => {
              if (!(event.target as Element).closest("a, button")) onSelect(node.id);
            }}
            onPaneClick={() => onSelect(null)}
            colorMode={resolvedTheme === "dark" ? "dark" : "light"}
            minZoom={0.2}
            nodesDraggable={false}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            elementsSelectable={false}
            zoomOnScroll={false}
            preventScrolling={false}
            zoomOnDoubleClick={false}
          >
            <Background gap={20} />
            <Controls showInteractive={false} />
          </ReactFlow>
        ) : null}
      </SelectContext.Provider>
    </div>
  );
}
