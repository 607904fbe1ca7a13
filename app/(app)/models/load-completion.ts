import { listDatasets } from "@/db/queries/datasets";
import { listModels } from "@/db/queries/models";
import { listRelationColumns } from "@/lib/transform/catalog-columns";
import type { CompletionData } from "@/components/models/sql-completion";

/** Names and columns for the SQL editor's completion. */
export async function loadCompletion(): Promise<CompletionData> {
  const [relations, models, datasets] = await Promise.all([listRelationColumns(), listModels(), listDatasets()]);
  return { relations, models: models.map((m) => m.name), datasets: datasets.map((d) => d.name) };
}
