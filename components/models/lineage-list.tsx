import Link from "next/link";
import type { LineageNodeSpec } from "@/lib/lineage/graph";
import type { LineageView } from "@/lib/lineage/focus";
import { KIND_STYLES } from "./lineage-kinds";

function NodeLink({ node }: { node: LineageNodeSpec }) {
  return node.href ? (
    <Link href={node.href} className="underline-offset-4 hover:underline">
      {node.name}
    </Link>
  ) : (
    <span>{node.name} (missing)</span>
  );
}

function Names({ nodes, suffix }: { nodes: LineageNodeSpec[]; suffix?: (n: LineageNodeSpec) => string }) {
  return nodes.map((n, i) => (
    <span key={n.id}>
      {i ? ", " : ""}
      <NodeLink node={n} />
      {suffix?.(n) ?? ""}
    </span>
  ));
}

/**
 * The shown part of the graph in text (what each model and pipeline reads, where each pipeline
 * delivers): the same information as the picture for screen readers and for copying.
 */
export function LineageList({ view }: { view: LineageView }) {
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const readers = view.nodes.filter((n) => n.kind === "model" || n.kind === "pipeline");
  if (readers.length === 0) return <p className="text-muted-foreground text-sm">No models or pipelines in view; only datasets.</p>;
  return (
    <ul className="flex flex-col gap-2 text-sm" data-testid="lineage-list">
      {readers.map((node) => {
        const reads = view.edges.filter((e) => e.to === node.id).map((e) => byId.get(e.from)!);
        const sendsTo = view.edges.filter((e) => e.from === node.id && byId.get(e.to)?.kind === "destination").map((e) => byId.get(e.to)!);
        return (
          <li key={node.id} className="flex flex-wrap gap-x-2">
            <span className="font-medium">
              <NodeLink node={node} />
            </span>
            <span className="text-muted-foreground">({KIND_STYLES[node.kind].label})</span>
            {node.status === "failed" ? <span className="text-destructive">(last build failed)</span> : null}
            <span className="text-muted-foreground">
              {reads.length ? "reads " : "reads nothing shown"}
              <Names nodes={reads} suffix={(r) => (r.kind === "dataset" ? " (dataset)" : "")} />
              {sendsTo.length ? "; sends to " : ""}
              <Names nodes={sendsTo} suffix={() => " (Slack channel)"} />
            </span>
          </li>
        );
      })}
    </ul>
  );
}
