import { listLatestBuilds } from "@/db/queries/models";
import { listDestinations } from "@/db/queries/destinations";
import { listPipelines } from "@/db/queries/pipelines";
import { deliveryModels } from "@/lib/lifecycle/dependents";
import { loadProject } from "@/lib/transform/build";
import { buildLineage, type Lineage } from "./graph";

/**
 * The whole lineage from the app's own tables. Destinations are reduced to id, name and flags
 * here, on the server: the webhook (even its host) never reaches the page.
 */
export async function loadLineage(): Promise<Lineage> {
  const [project, builds, pipelines, destinations] = await Promise.all([
    loadProject(),
    listLatestBuilds(),
    listPipelines(),
    listDestinations(),
  ]);
  return buildLineage({
    graph: project.graph,
    datasets: project.datasets.map((d) => ({ id: d.id, name: d.name })),
    statuses: new Map(builds.map((b) => [b.modelName, b.status])),
    pipelines: pipelines.map((p) => ({
      id: p.id,
      name: p.name,
      datasetId: p.datasetId,
      paused: p.paused,
      deliveries: p.deliveries.map((d) => ({ destinationId: d.destinationId, models: deliveryModels(d) })),
    })),
    destinations: destinations.map((d) => ({ id: d.id, name: d.name, isDefault: d.isDefault, isTestChannel: d.kind === "sample" })),
  });
}
