import dagre from "@dagrejs/dagre";
import type { BuildStatus } from "./build-view";

/**
 * The lineage graph as plain data, built on the server and laid out in the browser.
 * Kinds other than dataset and model (destinations, later) are passed in as `extra` nodes and
 * edges with their own ids, kind and link; the graph draws unknown kinds in a neutral style.
 */
export type LineageKind = "dataset" | "model" | "missing" | (string & {});

export type LineageNodeSpec = {
  id: string;
  name: string;
  kind: LineageKind;
  /** Where clicking the node goes; none for nodes without a page. */
  href?: string;
  /** The newest build's status, for models and typed models. */
  status?: BuildStatus | null;
};

export type LineageEdgeSpec = { from: string; to: string };

export type Lineage = { nodes: LineageNodeSpec[]; edges: LineageEdgeSpec[] };

export function lineageNodeId(kind: LineageKind, name: string): string {
  return `${kind}:${name}`;
}

/**
 * Nodes for every dataset and model of the project graph, edges from each dependency to its
 * dependant. A ref to a name that no longer exists gets a "missing" node so the break is visible.
 */
export function buildLineage(
  graph: readonly { name: string; dependsOn: readonly string[] }[],
  datasetNames: ReadonlySet<string>,
  statuses: ReadonlyMap<string, BuildStatus>,
  extra: Lineage = { nodes: [], edges: [] },
): Lineage {
  const idByName = new Map<string, string>();
  const nodes: LineageNodeSpec[] = [];
  for (const { name } of graph) {
    if (idByName.has(name)) continue;
    const kind = datasetNames.has(name) ? "dataset" : "model";
    const id = lineageNodeId(kind, name);
    idByName.set(name, id);
    nodes.push({
      id,
      name,
      kind,
      href: kind === "dataset" ? `/datasets/${encodeURIComponent(name)}` : `/models/${encodeURIComponent(name)}`,
      status: statuses.get(name) ?? null,
    });
  }
  const edges: LineageEdgeSpec[] = [];
  const seen = new Set<string>();
  for (const { name, dependsOn } of graph) {
    for (const dep of dependsOn) {
      let from = idByName.get(dep);
      if (!from) {
        from = lineageNodeId("missing", dep);
        idByName.set(dep, from);
        nodes.push({ id: from, name: dep, kind: "missing" });
      }
      const to = idByName.get(name)!;
      const key = `${from}→${to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to });
    }
  }
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of extra.nodes) {
    if (ids.has(node.id)) continue;
    ids.add(node.id);
    nodes.push(node);
  }
  for (const edge of extra.edges) if (ids.has(edge.from) && ids.has(edge.to)) edges.push(edge);
  return { nodes, edges };
}

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 56;

/** Left-to-right positions (top-left corners, as React Flow wants them) from dagre. */
export function layoutLineage(lineage: Lineage): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 72, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of lineage.nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of lineage.edges) g.setEdge(edge.from, edge.to);
  dagre.layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of lineage.nodes) {
    const laid = g.node(node.id) as { x: number; y: number } | undefined;
    positions.set(node.id, { x: (laid?.x ?? 0) - NODE_WIDTH / 2, y: (laid?.y ?? 0) - NODE_HEIGHT / 2 });
  }
  return positions;
}
