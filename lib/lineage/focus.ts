import { lineageKinds, type Lineage, type LineageEdgeSpec, type LineageKind, type LineageNodeSpec } from "./graph";

/**
 * What part of the lineage is shown and how: the focused node with n levels up and down (the rest
 * hidden), the nodes a search does not match dimmed, and the selected node's whole upstream and
 * downstream path highlighted with the rest dimmed. Pure, so the browser and the tests share it.
 */

export type Depth = number | "all";
export const DEFAULT_DEPTH = 2;
export const DEPTH_CHOICES: readonly Depth[] = [1, 2, 3, 4, 5, "all"];
const MAX_DEPTH = 50;

/** `?focus=<kind>:<name>`; anything else is no focus (the whole graph). */
export function parseFocus(raw: string | string[] | undefined | null): string | null {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return null;
  const colon = value.indexOf(":");
  if (colon < 1 || colon === value.length - 1) return null;
  const kind = value.slice(0, colon);
  return (lineageKinds as readonly string[]).includes(kind) ? value : null;
}

/** `?depth=` as a whole number of levels (1–50) or `all`; anything else is the default. */
export function parseDepth(raw: string | string[] | undefined | null): Depth {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === "all") return "all";
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_DEPTH) : DEFAULT_DEPTH;
}

export function kindOf(id: string): LineageKind {
  return id.slice(0, id.indexOf(":")) as LineageKind;
}

type Adjacency = { down: Map<string, string[]>; up: Map<string, string[]> };

function adjacency(edges: readonly LineageEdgeSpec[]): Adjacency {
  const down = new Map<string, string[]>();
  const up = new Map<string, string[]>();
  for (const { from, to } of edges) {
    (down.get(from) ?? down.set(from, []).get(from)!).push(to);
    (up.get(to) ?? up.set(to, []).get(to)!).push(from);
  }
  return { down, up };
}

/** Breadth-first from `start` along `next`, at most `limit` steps: id → steps taken. */
function walk(start: string, next: Map<string, string[]>, limit: number): Map<string, number> {
  const found = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  for (let step = 1; step <= limit && frontier.length; step++) {
    const following: string[] = [];
    for (const id of frontier)
      for (const n of next.get(id) ?? []) {
        if (found.has(n)) continue;
        found.set(n, step);
        following.push(n);
      }
    frontier = following;
  }
  return found;
}

/**
 * The nodes within `depth` levels of `focus`, upstream (negative levels) and downstream (positive),
 * the focus at 0. No focus, or one not in the graph: every node, without levels.
 */
export function neighbourhood(lineage: Lineage, focus: string | null, depth: Depth): Map<string, number | null> {
  const ids = new Set(lineage.nodes.map((n) => n.id));
  if (!focus || !ids.has(focus)) return new Map(lineage.nodes.map((n) => [n.id, null]));
  const limit = depth === "all" ? Infinity : depth;
  const { down, up } = adjacency(lineage.edges);
  const levels = new Map<string, number | null>();
  // `0 - steps`, not `-steps`: the focus is level 0, never -0.
  for (const [id, steps] of walk(focus, up, limit)) levels.set(id, 0 - steps);
  for (const [id, steps] of walk(focus, down, limit)) if (!levels.has(id)) levels.set(id, steps);
  return levels;
}

/** A node with everything upstream and downstream of it, among `within`. */
export function pathThrough(lineage: Lineage, id: string, within?: ReadonlySet<string>): Set<string> {
  const edges = within ? lineage.edges.filter((e) => within.has(e.from) && within.has(e.to)) : lineage.edges;
  const { down, up } = adjacency(edges);
  return new Set([...walk(id, up, Infinity).keys(), ...walk(id, down, Infinity).keys()]);
}

/**
 * Nodes whose name contains the query (case-insensitive), best first: the exact name, then names
 * starting with it, then a word of the name starting with it (after `_`, `-`, `.` or a space), then
 * anywhere; shorter names first within each, then by name.
 */
export function searchLineage(nodes: readonly LineageNodeSpec[], query: string, limit = 8): LineageNodeSpec[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const rank = (name: string): number => {
    const n = name.toLowerCase();
    if (n === q) return 0;
    if (n.startsWith(q)) return 1;
    if (n.split(/[\s_.-]+/).some((word) => word.startsWith(q))) return 2;
    return n.includes(q) ? 3 : -1;
  };
  return nodes
    .map((node) => ({ node, r: rank(node.name) }))
    .filter((x) => x.r >= 0)
    .sort(
      (a, b) =>
        a.r - b.r ||
        a.node.name.length - b.node.name.length ||
        a.node.name.localeCompare(b.node.name) ||
        a.node.kind.localeCompare(b.node.kind),
    )
    .slice(0, limit)
    .map((x) => x.node);
}

export type NodeView = {
  /** Levels from the focus (negative: upstream); null without a focus. */
  level: number | null;
  focused: boolean;
  selected: boolean;
  /** On the selected node's upstream or downstream path. */
  onPath: boolean;
  /** Not on the selected path, or not matching the search being typed. */
  dimmed: boolean;
  /** Neighbours left out by the depth: a hint that there is more that way. */
  hiddenUp: number;
  hiddenDown: number;
};

export type LineageView = {
  nodes: LineageNodeSpec[];
  edges: (LineageEdgeSpec & { dimmed: boolean; onPath: boolean })[];
  state: Map<string, NodeView>;
  /** The focus when it names a node of the graph, else null. */
  focus: string | null;
  hiddenCount: number;
};

export function lineageView(
  lineage: Lineage,
  opts: { focus: string | null; depth: Depth; query?: string; selected?: string | null },
): LineageView {
  const levels = neighbourhood(lineage, opts.focus, opts.depth);
  const visible = new Set(levels.keys());
  const focus = opts.focus && levels.get(opts.focus) === 0 ? opts.focus : null;
  const selected = opts.selected && visible.has(opts.selected) ? opts.selected : null;
  const path = selected ? pathThrough(lineage, selected, visible) : null;
  const nodes = lineage.nodes.filter((n) => visible.has(n.id));
  const matches = opts.query?.trim() ? new Set(searchLineage(nodes, opts.query, Infinity).map((n) => n.id)) : null;
  const { down, up } = adjacency(lineage.edges);
  const hidden = (ids: string[] | undefined) => (ids ?? []).filter((i) => !visible.has(i)).length;

  const state = new Map<string, NodeView>();
  for (const node of nodes) {
    const onPath = path?.has(node.id) ?? false;
    state.set(node.id, {
      level: levels.get(node.id) ?? null,
      focused: node.id === focus,
      selected: node.id === selected,
      onPath,
      dimmed: (path !== null && !onPath) || (matches !== null && !matches.has(node.id)),
      hiddenUp: hidden(up.get(node.id)),
      hiddenDown: hidden(down.get(node.id)),
    });
  }
  const edges = lineage.edges
    .filter((e) => visible.has(e.from) && visible.has(e.to))
    .map((e) => ({
      ...e,
      onPath: path !== null && path.has(e.from) && path.has(e.to),
      dimmed: state.get(e.from)!.dimmed || state.get(e.to)!.dimmed,
    }));
  return { nodes, edges, state, focus, hiddenCount: lineage.nodes.length - nodes.length };
}
