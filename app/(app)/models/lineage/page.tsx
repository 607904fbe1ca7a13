import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon, NetworkIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { listLatestBuilds } from "@/db/queries/models";
import { loadProject } from "@/lib/transform/build";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { LineageGraph } from "@/components/models/lineage-graph";
import { buildLineage } from "@/components/models/lineage-layout";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Lineage" };

export default async function LineagePage() {
  await requireUser();
  const [project, builds] = await Promise.all([loadProject(), listLatestBuilds()]);
  const lineage = buildLineage(
    project.graph,
    new Set(project.datasets.map((d) => d.name)),
    new Map(builds.map((b) => [b.modelName, b.status])),
  );
  const byId = new Map(lineage.nodes.map((n) => [n.id, n]));

  return (
    <>
      <PageHeader
        title="Lineage"
        description="How data flows: datasets on the left, the models built from them to the right. Open any node to see it."
        actions={
          <Button asChild variant="ghost">
            <Link href="/models">
              <ArrowLeftIcon aria-hidden="true" />
              All models
            </Link>
          </Button>
        }
      />
      {lineage.nodes.length === 0 ? (
        <EmptyState
          icon={NetworkIcon}
          title="Nothing to draw yet"
          description="Register a dataset and write a model that refs it; the graph shows how each model depends on the others."
        >
          <Button asChild>
            <Link href="/datasets">Start with a dataset</Link>
          </Button>
        </EmptyState>
      ) : (
        <>
          <section aria-labelledby="lineage-graph-heading" className="flex flex-col gap-3">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <h2 id="lineage-graph-heading" className="text-lg font-semibold">
                Graph
              </h2>
              <ul className="text-muted-foreground flex flex-wrap gap-4 text-xs" aria-label="Legend">
                <li className="flex items-center gap-1.5">
                  <span className="size-3 rounded-sm border-2 border-sky-600/50 bg-sky-50 dark:bg-sky-950/50" aria-hidden="true" />
                  Dataset
                </li>
                <li className="flex items-center gap-1.5">
                  <span className="size-3 rounded-sm border-2 border-violet-600/50 bg-violet-50 dark:bg-violet-950/50" aria-hidden="true" />
                  Model
                </li>
                <li className="flex items-center gap-1.5">
                  <span className="size-3 rounded-sm border-2 border-red-600 bg-red-50 dark:bg-red-950/50" aria-hidden="true" />
                  Last build failed
                </li>
              </ul>
            </div>
            <LineageGraph lineage={lineage} labelledBy="lineage-graph-heading" />
          </section>

          <Card>
            <CardHeader>
              <CardTitle>
                <h2>Dependencies as a list</h2>
              </CardTitle>
              <CardDescription>The same graph in text: what each model reads.</CardDescription>
            </CardHeader>
            <CardContent>
              <ul className="flex flex-col gap-2 text-sm" data-testid="lineage-list">
                {lineage.nodes
                  .filter((n) => n.kind !== "dataset" && n.kind !== "missing")
                  .map((node) => {
                    const reads = lineage.edges.filter((e) => e.to === node.id).map((e) => byId.get(e.from)!);
                    return (
                      <li key={node.id} className="flex flex-wrap gap-x-2">
                        {node.href ? (
                          <Link href={node.href} className="font-medium underline-offset-4 hover:underline">
                            {node.name}
                          </Link>
                        ) : (
                          <span className="font-medium">{node.name}</span>
                        )}
                        {node.status === "failed" ? <span className="text-destructive">(last build failed)</span> : null}
                        <span className="text-muted-foreground">
                          {reads.length ? "reads " : "reads nothing"}
                          {reads.map((r, i) => (
                            <span key={r.id}>
                              {i ? ", " : ""}
                              {r.href ? (
                                <Link href={r.href} className="underline-offset-4 hover:underline">
                                  {r.name}
                                </Link>
                              ) : (
                                `${r.name} (missing)`
                              )}
                              {r.kind === "dataset" ? " (dataset)" : ""}
                            </span>
                          ))}
                        </span>
                      </li>
                    );
                  })}
              </ul>
              {lineage.nodes.every((n) => n.kind === "dataset") ? (
                <p className="text-muted-foreground text-sm">No models yet; only datasets.</p>
              ) : null}
            </CardContent>
          </Card>
        </>
      )}
    </>
  );
}
