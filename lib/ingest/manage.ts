import { audit, type AuditActor } from "@/lib/audit";
import { getSql } from "@/db";
import { deleteDataset, getActiveDatasetLoad, getDatasetById, updateDataset } from "@/db/queries/datasets";
import type { ColumnType, DatasetLoad, DatasetOptions } from "@/db/schema/datasets";
import { UserError } from "@/lib/errors";
import { getObjectStore } from "@/lib/storage";
import { requestDatasetLoad } from "@/lib/ingest/register";
import { stagingTable, warehouseTable } from "@/lib/ingest/staging-sql";
import { datasetSettingsInput, readOptionsInput, type ReadOptionsInput } from "@/lib/validation/datasets";
import type { z } from "zod";
import type { Dataset } from "@/db/schema/datasets";
import { dropDigestSnapshots } from "@/lib/pipeline/digest-diff";
import { listPipelines } from "@/db/queries/pipelines";

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

/** The read options the dataset page can change; anything left out goes back to detection. */
const READ_OPTION_KEYS = ["encoding", "delimiter", "header", "headerLine", "nullMarkers", "dateOrder", "badRows"] as const;

/**
 * Changes how the dataset's file is read (encoding, delimiter, header, null markers, …) and loads
 * the current version again with them: a wrong guess is fixed without uploading the file again.
 * A load that fails with them leaves the previous table as it was. Null when nothing is reloaded
 * (an append dataset: see below).
 */
export async function setReadOptions(input: ReadOptionsInput, actor: Actor): Promise<DatasetLoad | null> {
  const parsed = readOptionsInput.parse(input);
  const dataset = await getDatasetById(parsed.datasetId);
  if (!dataset) throw new UserError("Dataset not found", 404);
  if (!dataset.currentVersionId) throw new UserError("Load the dataset before changing how it is read", 409);
  if (await getActiveDatasetLoad(dataset.id)) throw new UserError("Wait for the running load to finish", 409);
  const options: DatasetOptions = { ...dataset.options };
  for (const key of READ_OPTION_KEYS) delete options[key as keyof DatasetOptions];
  Object.assign(options, Object.fromEntries(READ_OPTION_KEYS.filter((k) => parsed[k] !== undefined).map((k) => [k, parsed[k]])));
  await updateDataset(dataset.id, { options });
  const changed = Object.fromEntries(READ_OPTION_KEYS.map((k) => [k, parsed[k] ?? "detect"]));
  await audit("dataset.read_options_changed", actor, { type: "dataset", id: dataset.id, name: dataset.name }, changed);
  // An append or upsert dataset holds each version's rows once: reading the current file again
  // adds nothing, so options that change how a file is parsed apply from the next file on.
  // Null markers and the date order only change the typing, which a reload does redo.
  const parsing = PARSE_OPTION_KEYS.some((k) => JSON.stringify(dataset.options[k]) !== JSON.stringify(options[k]));
  if (dataset.options.loadMode !== "replace" && parsing) return null;
  return requestDatasetLoad(dataset.id, { versionId: dataset.currentVersionId, force: true }, actor);
}

const PARSE_OPTION_KEYS = ["encoding", "delimiter", "header", "headerLine", "badRows"] as const;

/** The one-click answer to "is 03/04/2024 day first or month first?": only the date order changes. */
export async function setDateOrder(datasetId: string, dateOrder: "DMY" | "MDY", actor: Actor): Promise<DatasetLoad | null> {
  const dataset = await getDatasetById(datasetId);
  if (!dataset) throw new UserError("Dataset not found", 404);
  return setReadOptions({ ...dataset.options, datasetId, dateOrder }, actor);
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
  const pipelines = (await listPipelines()).filter((p) => p.datasetId === dataset.id);
  await deleteDataset(dataset.id);
  for (const pipeline of pipelines) await dropDigestSnapshots(pipeline.id);
  await audit("dataset.deleted", actor, { type: "dataset", id: dataset.id, name: dataset.name });
}

/**
 * A dataset's settings (PATCH /v1/datasets/{name}, the dataset page): freshness thresholds, the
 * schema policy and type locks (applied from the next load on). A
 * change of thresholds is judged afresh by the next check (the recorded state is cleared, so the
 * first verdict under new thresholds is announced only if it is not ok).
 */
export async function updateDatasetSettings(
  datasetId: string,
  raw: z.input<typeof datasetSettingsInput>,
  actor?: AuditActor,
): Promise<Dataset> {
  const input = datasetSettingsInput.parse(raw);
  const dataset = await getDatasetById(datasetId);
  if (!dataset) throw new UserError("Dataset not found", 404);
  const values: Partial<Dataset> = {};
  if (input.freshness !== undefined) {
    const f = input.freshness;
    const freshness = f && (f.warnAfter || f.errorAfter) ? { warnAfter: f.warnAfter || null, errorAfter: f.errorAfter || null } : null;
    if (JSON.stringify(freshness) !== JSON.stringify(dataset.freshness ?? null)) {
      Object.assign(values, { freshness, freshnessState: null, freshnessCheckedAt: null });
    }
  }
  if (input.schemaPolicy !== undefined && input.schemaPolicy !== dataset.schemaPolicy) values.schemaPolicy = input.schemaPolicy;
  if (input.typeLocks !== undefined) {
    const unknown = Object.keys(input.typeLocks).filter((name) => !dataset.columns.some((c) => c.name === name));
    if (unknown.length && dataset.columns.length) {
      throw new UserError(`Cannot lock ${unknown.join(", ")}: not a column of ${dataset.name}`, 400, {
        typeLocks: [`Unknown column ${unknown[0]}`],
      });
    }
    values.typeLocks = input.typeLocks;
  }
  if (input.schemaNotices !== undefined && input.schemaNotices !== (dataset.options.schemaNotices ?? true)) {
    values.options = { ...dataset.options, schemaNotices: input.schemaNotices };
  }
  if (Object.keys(values).length === 0) return dataset;
  const updated = await updateDataset(dataset.id, values);
  await audit("dataset.settings_changed", actor, { type: "dataset", id: dataset.id, name: dataset.name }, { changed: Object.keys(input) });
  return updated ?? { ...dataset, ...values };
}
