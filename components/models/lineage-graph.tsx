"use client";

import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTheme } from "next-themes";
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { BoxesIcon, CircleAlertIcon, CircleHelpIcon, DatabaseIcon, ShapesIcon, type LucideIcon } from "lucide-react";
import { cn } from "@/lib/utils";
import { layoutLineage, NODE_HEIGHT, NODE_WIDTH, type Lineage, type LineageNodeSpec } from "./lineage-layout";

type KindStyle = { label: string; icon: LucideIcon; className: string };

/** One look per kind; a kind not listed here (a later destination, say) falls back to OTHER. */
const KIND_STYLES: Record<string, KindStyle> = {
  dataset: {
    label: "dataset",
    icon: DatabaseIcon,
    className: "border-sky-600/50 bg-sky-50 text-sky-950 dark:bg-sky-950/50 dark:text-sky-100",
  },
  model: {
    label: "model",
    icon: BoxesIcon,
    className: "border-violet-600/50 bg-violet-50 text-violet-950 dark:bg-violet-950/50 dark:text-violet-100",
  },
  missing: {
    label: "missing",
    icon: CircleHelpIcon,
    className: "border-dashed border-muted-foreground/60 bg-background text-muted-foreground",
  },
};
const OTHER: KindStyle = { label: "", icon: ShapesIcon, className: "border-border bg-card text-card-foreground" };

type LineageFlowNode = Node<LineageNodeSpec & Record<string, unknown>, "lineage">;

function LineageNode({ data }: NodeProps<LineageFlowNode>) {
  const style = KIND_STYLES[data.kind] ?? { ...OTHER, label: data.kind };
  const failed = data.status === "failed";
  const Icon = style.icon;
  const body = (
    <>
      <Icon className="size-4 shrink-0 opacity-70" aria-hidden="true" />
      <span className="flex min-w-0 flex-col">
        <span className="truncate text-sm font-medium">{data.name}</span>
        <span className="text-xs opacity-70">{style.label}</span>
      </span>
      {failed ? (
        <CircleAlertIcon role="img" aria-label="failed" className="ml-auto size-4 shrink-0 text-red-600 dark:text-red-400" />
      ) : null}
    </>
  );
  const className = cn(
    "flex h-full w-full items-center gap-2 rounded-lg border-2 px-3 text-left shadow-sm outline-none",
    style.className,
    failed && "border-red-600 bg-red-50 text-red-950 dark:border-red-500 dark:bg-red-950/50 dark:text-red-100",
  );
  return (
    <div
      data-testid={`lineage-node-${data.name}`}
      data-kind={data.kind}
      data-status={data.status ?? undefined}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!opacity-0" />
      {data.href ? (
        <Link
          href={data.href}
          title={data.name}
          className={cn(className, "focus-visible:ring-ring/70 hover:brightness-95 focus-visible:ring-[3px]")}
        >
          {body}
        </Link>
      ) : (
        <div title={data.name} className={className}>
          {body}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} className="!opacity-0" />
    </div>
  );
}

const nodeTypes = { lineage: LineageNode };

/**
 * The lineage as a left-to-right graph. Each node is a link (Tab reaches them; Enter opens the
 * model or dataset); React Flow's own node focus is off so there is one stop per node.
 */
export function LineageGraph({ lineage, labelledBy }: { lineage: Lineage; labelledBy: string }) {
  const { resolvedTheme } = useTheme();
  const router = useRouter();
  const { nodes, edges } = useMemo(() => {
    const positions = layoutLineage(lineage);
    const nodes: LineageFlowNode[] = lineage.nodes.map((spec) => ({
      id: spec.id,
      type: "lineage",
      position: positions.get(spec.id) ?? { x: 0, y: 0 },
      data: { ...spec },
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      draggable: false,
      selectable: false,
      connectable: false,
      focusable: false,
    }));
    const edges: Edge[] = lineage.edges.map((edge) => ({
      id: `${edge.from}->${edge.to}`,
      source: edge.from,
      target: edge.to,
      focusable: false,
      selectable: false,
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
    }));
    return { nodes, edges };
  }, [lineage]);

  return (
    <div className="bg-card h-[60svh] min-h-80 w-full overflow-hidden rounded-xl border" role="group" aria-labelledby={labelledBy}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        // Also what gives nodes pointer events at all (they are neither draggable nor selectable).
        // A click on the node's link is the link's to handle; anywhere else on the node navigates too.
        onNodeClick={(event, node) => {
          if ((event.target as Element).closest("a")) return;
          if (node.data.href) router.push(node.data.href);
        }}
        colorMode={resolvedTheme === "dark" ? "dark" : "light"}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1.25 }}
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
    </div>
  );
}
