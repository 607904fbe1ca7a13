import { getLogger } from "@/lib/log";
import { TEMPLATE_VARIABLES } from "@/lib/slack/render";
import { listPublicDestinations } from "@/lib/slack/destinations";
import { listRelationColumns } from "@/lib/transform/catalog-columns";
import { listDatasets } from "@/db/queries/datasets";
import { listModels } from "@/db/queries/models";
import type { PipelineFormOptions } from "./form-types";

/** Relayboard's own bookkeeping columns, which messages leave out too. */
const INTERNAL_COLUMN = /^_rb_/;

async function warehouseColumns(): Promise<Record<string, string[]>> {
  try {
    return (await listRelationColumns()).warehouse;
  } catch (err) {
    // The form still works without column names: they can be typed instead.
    getLogger().warn({ err }, "could not list warehouse columns for the pipeline form");
    return {};
  }
}

/** Everything the pipeline form offers, read on the server (no webhook URLs, only names). */
export async function loadFormOptions(): Promise<PipelineFormOptions> {
  const [datasets, models, destinations, columns] = await Promise.all([
    listDatasets(),
    listModels(),
    listPublicDestinations(),
    warehouseColumns(),
  ]);
  const columnsOf = (name: string) => columns[name]?.filter((c) => !INTERNAL_COLUMN.test(c)) ?? null;
  const modelNames = new Set(models.map((m) => m.name));
  return {
    datasets: datasets.map((d) => ({ id: d.id, name: d.name })),
    models: models.map((m) => ({ name: m.name, description: m.description })),
    destinations: destinations.map((d) => ({ id: d.id, name: d.name, default: d.default, needsAttention: d.status === "needs_attention" })),
    tables: [
      ...models.map((m) => ({ name: m.name, kind: "model" as const, columns: columnsOf(m.name) })),
      ...datasets
        .filter((d) => !modelNames.has(d.name))
        .map((d) => ({ name: d.name, kind: "dataset" as const, columns: columnsOf(d.name) })),
    ],
    variables: [...TEMPLATE_VARIABLES],
  };
}
