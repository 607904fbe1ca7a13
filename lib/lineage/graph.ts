/**
 * The lineage as plain data: datasets → models → pipelines → Slack channels. Built on the server
 * from the project graph, the pipelines and the destinations, and drawn in the browser. Pure, so
 * the shape of the graph is tested without a database.
 */
export const lineageKinds = ["dataset", "model", "missing", "pipeline", "destination"] as const;
export type LineageKind = (typeof lineageKinds)[number];

export type LineageNodeSpec = {
  /** `<kind>:<name>`: names are unique per kind (a dataset and its own pipeline share one). */
  id: string;
  name: string;
  kind: LineageKind;
  /** Where the node's link goes; none for nodes without a page. */
  href?: string;
  /** The newest build's status, for models. */
  status?: string | null;
  /** A short fact under the kind ("paused", "test channel", "default"). */
  note?: string;
};

export type LineageEdgeSpec = { from: string; to: string };

export type Lineage = { nodes: LineageNodeSpec[]; edges: LineageEdgeSpec[] };

export function lineageNodeId(kind: LineageKind, name: string): string {
  return `${kind}:${name}`;
}

/** The inputs, reduced to what the graph needs: no webhook URL or other secret ever gets here. */
export type LineagePipeline = {
  id: string;
  name: string;
  datasetId: string;
  paused: boolean;
  deliveries: { destinationId: string | null; models: string[] }[];
};
export type LineageDestination = { id: string; name: string; isDefault: boolean; isTestChannel: boolean };
export type LineageInput = {
  graph: readonly { name: string; dependsOn: readonly string[] }[];
  datasets: readonly { id: string; name: string }[];
  statuses: ReadonlyMap<string, string>;
  pipelines?: readonly LineagePipeline[];
  destinations?: readonly LineageDestination[];
};

const path = (base: string, name: string) => `${base}/${encodeURIComponent(name)}`;

/**
 * Nodes for every dataset and model, edges from each dependency to its dependant; a ref to a name
 * that no longer exists gets a "missing" node so the break is visible. Each pipeline hangs off what
 * its messages read (their table and alert models), and off its own dataset when nothing it reads
 * comes from that dataset, so a pipeline is never cut off from what starts it. Each channel a
 * message goes to (the default channel for "default") follows its pipeline; failure alerts are not
 * data and are left out.
 */
export function buildLineage(input: LineageInput): Lineage {
  const datasetNames = new Set(input.datasets.map((d) => d.name));
  const idByName = new Map<string, string>();
  const nodes: LineageNodeSpec[] = [];
  for (const { name } of input.graph) {
    if (idByName.has(name)) continue;
    const kind = datasetNames.has(name) ? "dataset" : "model";
    const id = lineageNodeId(kind, name);
    idByName.set(name, id);
    nodes.push({
      id,
      name,
      kind,
      href: path(kind === "dataset" ? "/datasets" : "/models", name),
      status: kind === "model" ? (input.statuses.get(name) ?? null) : null,
    });
  }
  const edges: LineageEdgeSpec[] = [];
  const seen = new Set<string>();
  const addEdge = (from: string, to: string) => {
    const key = `${from}→${to}`;
    if (seen.has(key) || from === to) return;
    seen.add(key);
    edges.push({ from, to });
  };
  const resolve = (name: string) => {
    let id = idByName.get(name);
    if (!id) {
      id = lineageNodeId("missing", name);
      idByName.set(name, id);
      nodes.push({ id, name, kind: "missing" });
    }
    return id;
  };
  for (const { name, dependsOn } of input.graph) for (const dep of dependsOn) addEdge(resolve(dep), idByName.get(name)!);

  const upstream = ancestorsOf(input.graph);
  const datasetName = new Map(input.datasets.map((d) => [d.id, d.name]));
  const destinations = new Map((input.destinations ?? []).map((d) => [d.id, d]));
  const defaultDestination = input.destinations?.find((d) => d.isDefault) ?? null;
  const destinationIds = new Set<string>();
  for (const pipeline of input.pipelines ?? []) {
    const id = lineageNodeId("pipeline", pipeline.name);
    nodes.push({
      id,
      name: pipeline.name,
      kind: "pipeline",
      href: `/pipelines/${pipeline.id}`,
      note: pipeline.paused ? "paused" : undefined,
    });
    const reads = [...new Set(pipeline.deliveries.flatMap((d) => d.models))];
    const own = datasetName.get(pipeline.datasetId);
    for (const name of reads) addEdge(resolve(name), id);
    if (own && !reads.some((r) => r === own || upstream(r).has(own))) addEdge(idByName.get(own) ?? resolve(own), id);
    for (const delivery of pipeline.deliveries) {
      const destination = delivery.destinationId ? destinations.get(delivery.destinationId) : defaultDestination;
      if (!destination) continue;
      const to = lineageNodeId("destination", destination.name);
      if (!destinationIds.has(to)) {
        destinationIds.add(to);
        nodes.push({
          id: to,
          name: destination.name,
          kind: "destination",
          href: `/destinations/${destination.id}`,
          note: destination.isTestChannel ? "test channel" : destination.isDefault ? "default" : undefined,
        });
      }
      addEdge(id, to);
    }
  }
  return { nodes, edges };
}

/** Memoized transitive dependencies of a project node, by name. */
function ancestorsOf(graph: LineageInput["graph"]): (name: string) => Set<string> {
  const deps = new Map(graph.map((n) => [n.name, n.dependsOn]));
  const memo = new Map<string, Set<string>>();
  const visit = (name: string, stack: Set<string>): Set<string> => {
    const known = memo.get(name);
    if (known) return known;
    const found = new Set<string>();
    // A cycle (refused at build, but SQL can be saved with one) must not recurse forever.
    if (stack.has(name)) return found;
    stack.add(name);
    for (const dep of deps.get(name) ?? []) {
      found.add(dep);
      for (const a of visit(dep, stack)) found.add(a);
    }
    stack.delete(name);
    memo.set(name, found);
    return found;
  };
  return (name) => visit(name, new Set());
}

/** The lineage page opened focused on one node. */
export function lineageHref(kind: LineageKind, name: string): string {
  return `/models/lineage?focus=${encodeURIComponent(lineageNodeId(kind, name))}`;
}
