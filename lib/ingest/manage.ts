import { audit, type AuditActor } from "@/lib/audit";
import { getSql } from "@/db";
import { deleteDataset, getActiveDatasetLoad, getDatasetById, updateDataset } from "@/db/queries/datasets";
import type { ColumnType, DatasetLoad } from "@/db/schema/datasets";
import { UserError } from "@/lib/errors";
import { getObjectStore } from "@/lib/storage";
import { requestDatasetLoad } from "@/lib/ingest/register";
import { stagingTable, warehouseTable } from "@/lib/ingest/staging-sql";

type Actor = { id: string };

/**
 * Sets (or with "auto" clears) a column's type and reloads the current version, so the new type
 * is checked against every value: a value that does not fit fails the load naming its line.
 */
export async function setColumnType(datasetId: string, column: string, type: ColumnType | "auto", actor: Actor): Promise<DatasetLoad> {
  const dataset = await getDatasetById(datasetId);
  if (!dataset) throw new UserError("Dataset not found", 404);
  if (!dataset.currentVersionId) throw new UserError("Load the dataset before changing column types", 409);
  if (!dataset.columns.some((c) => c.name === column)) throw new UserError(`No column named ${column}`, 404);
  if (await getActiveDatasetLoad(dataset.id)) throw new UserError("Wait for the running load to finish", 409);
  const columns = dataset.columns.map((c) => {
    if (c.name !== column) return c;
    const { overrideType: _previous, ...rest } = c;
    return type === "auto" ? rest : { ...rest, overrideType: type };
  });
  await updateDataset(dataset.id, { columns });
  await audit("dataset.column_type_changed", actor, { type: "dataset", id: dataset.id, name: dataset.name }, { column, type });
  return requestDatasetLoad(dataset.id, { versionId: dataset.currentVersionId }, actor);
}

/** Removes a dataset with its tables and every stored version. */
export async function removeDataset(datasetId: string, actor?: AuditActor): Promise<void> {
  const dataset = await getDatasetById(datasetId);
  if (!dataset) throw new UserError("Dataset not found", 404);
  if (await getActiveDatasetLoad(dataset.id)) throw new UserError("Wait for the running load to finish before deleting", 409);
  const sql = getSql();
  await sql.begin(async (tx) => {
    await tx.unsafe(`drop table if exists ${warehouseTable(dataset.name)}`);
    await tx.unsafe(`drop table if exists ${stagingTable(dataset.name)}`);
  });
  const store = getObjectStore();
  for (const object of await store.list(`datasets/${dataset.id}/`)) await store.delete(object.key);
  await deleteDataset(dataset.id);
  await audit("dataset.deleted", actor, { type: "dataset", id: dataset.id, name: dataset.name });
}
