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

/** Below this zoom names are too small to read: a bigger graph pans instead of shrinking further. */
export const READABLE_ZOOM = 0.6;
const MAX_ZOOM = 1.1;
const PAD = 12;

type Placed = { id: string; position: { x: number; y: number } };

/**
 * The first view of what is shown: all of it, centred, when that keeps names readable. Otherwise a
 * readable zoom centred on the focused node, or (no focus) the graph's left edge, where its
 * datasets are, so the first view is neither an unreadable strip nor an empty stretch of canvas.
 */
export function initialViewport(
  nodes: readonly Placed[],
  size: { width: number; height: number },
  focus: string | null,
): { x: number; y: number; zoom: number } {
  if (nodes.length === 0) return { x: 0, y: 0, zoom: 1 };
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const [left, top] = [Math.min(...xs), Math.min(...ys)];
  const [right, bottom] = [Math.max(...xs) + NODE_WIDTH, Math.max(...ys) + NODE_HEIGHT];
  const fit = Math.min(size.width / (right - left + 2 * PAD), size.height / (bottom - top + 2 * PAD), MAX_ZOOM);
  const centre = (x: number, y: number, zoom: number) => ({ x: size.width / 2 - x * zoom, y: size.height / 2 - y * zoom, zoom });
  if (fit >= READABLE_ZOOM) return centre((left + right) / 2, (top + bottom) / 2, fit);
  const target = focus ? nodes.find((n) => n.id === focus) : undefined;
  if (target) return centre(target.position.x + NODE_WIDTH / 2, target.position.y + NODE_HEIGHT / 2, READABLE_ZOOM);
  const column = nodes.filter((n) => n.position.x === left).map((n) => n.position.y);
  const middle = (Math.min(...column) + Math.max(...column) + NODE_HEIGHT) / 2;
  return { x: PAD - left * READABLE_ZOOM, y: size.height / 2 - middle * READABLE_ZOOM, zoom: READABLE_ZOOM };
}
