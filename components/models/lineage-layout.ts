import dagre from "@dagrejs/dagre";
import type { LineageEdgeSpec, LineageNodeSpec } from "@/lib/lineage/graph";

export const NODE_WIDTH = 188;
export const NODE_HEIGHT = 56;

/**
 * Left-to-right positions (top-left corners, as React Flow wants them) from dagre, for the nodes
 * being shown only, so a focused subgraph is laid out on its own and fits the canvas.
 */
export function layoutLineage(nodes: readonly LineageNodeSpec[], edges: readonly LineageEdgeSpec[]): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 16, ranksep: 44, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) g.setEdge(edge.from, edge.to);
  dagre.layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const laid = g.node(node.id) as { x: number; y: number } | undefined;
    positions.set(node.id, { x: (laid?.x ?? 0) - NODE_WIDTH / 2, y: (laid?.y ?? 0) - NODE_HEIGHT / 2 });
  }
  return positions;
}

/** Tab order that follows the picture: column by column, top to bottom. */
export function readingOrder<T extends { position: { x: number; y: number } }>(nodes: T[]): T[] {
  return [...nodes].sort((a, b) => a.position.x - b.position.x || a.position.y - b.position.y);
}
