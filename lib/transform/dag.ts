/** The model graph: edges from each model to the models (and datasets) it refs. */
export type GraphNode = { name: string; dependsOn: readonly string[] };

export class CycleError extends Error {
  override name = "CycleError";
  constructor(readonly cycle: string[]) {
    super(`Models form a cycle: ${cycle.join(" → ")}`);
  }
}

/** Dependencies first; throws CycleError naming the models on the cycle. */
export function topologicalOrder(nodes: readonly GraphNode[]): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, "visiting" | "done">();
  const order: string[] = [];
  const path: string[] = [];
  const visit = (name: string) => {
    const seen = state.get(name);
    if (seen === "done") return;
    if (seen === "visiting") {
      throw new CycleError([...path.slice(path.indexOf(name)), name]);
    }
    state.set(name, "visiting");
    path.push(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) if (byName.has(dep)) visit(dep);
    path.pop();
    state.set(name, "done");
    order.push(name);
  };
  for (const node of [...nodes].sort((a, b) => a.name.localeCompare(b.name))) visit(node.name);
  return order;
}

/** Every node that (transitively) depends on any of `roots`, roots excluded. */
export function downstreamOf(nodes: readonly GraphNode[], roots: Iterable<string>): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const node of nodes) for (const dep of node.dependsOn) (dependents.get(dep) ?? dependents.set(dep, []).get(dep)!).push(node.name);
  const found = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    for (const next of dependents.get(queue.shift()!) ?? []) {
      if (!found.has(next)) {
        found.add(next);
        queue.push(next);
      }
    }
  }
  return found;
}

export function upstreamOf(nodes: readonly GraphNode[], roots: Iterable<string>): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const found = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    for (const dep of byName.get(queue.shift()!)?.dependsOn ?? []) {
      if (!found.has(dep)) {
        found.add(dep);
        queue.push(dep);
      }
    }
  }
  return found;
}
