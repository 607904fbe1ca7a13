"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { UserError } from "@/lib/errors";
import { requestDatasetLoad } from "@/lib/ingest/register";
import { removeDataset, setColumnType, setDateOrder, setReadOptions, updateDatasetSettings } from "@/lib/ingest/manage";
import { getDatasetById, getLatestDatasetVersion } from "@/db/queries/datasets";
import type { Dataset } from "@/db/schema/datasets";
import {
  columnOverrideInput,
  datasetIdInput,
  datasetLoadRequestInput,
  datasetSettingsInput,
  datasetVersionReloadInput,
  dateOrderInput,
} from "@/lib/validation/datasets";
import { optionsFromFormData } from "../dataset-options";

// Every action checks the editor role itself, first: the page hiding its buttons from viewers
// protects nothing. Invalid input throws a ZodError, which runAction answers as 400.

type Queued = { loadId: string };
/** Null: saved without a reload (an append dataset's parsing options apply from the next file). */
type MaybeQueued = { loadId: string | null };

async function datasetOrThrow(id: string): Promise<Dataset> {
  const dataset = await getDatasetById(id);
  if (!dataset) throw new UserError("This dataset no longer exists", 404);
  return dataset;
}

function revalidateDataset(name: string) {
  revalidatePath(`/datasets/${name}`);
  revalidatePath("/datasets");
}

/**
 * "Load now" fetches the URL again (unchanged content is skipped); "Force reload" loads even when
 * unchanged: a URL dataset is fetched again, an uploaded one reloads its current version.
 */
export async function requestLoadAction(_prev: ActionResult<Queued>, form: FormData): Promise<ActionResult<Queued>> {
  return runAction("requestDatasetLoad", async () => {
    const actor = await requireRole("editor");
    const { datasetId, mode } = datasetLoadRequestInput.parse(Object.fromEntries(form));
    const dataset = await datasetOrThrow(datasetId);
    let opts: { force?: boolean; versionId?: string } = {};
    if (mode === "force") {
      if (dataset.sourceUrl) opts = { force: true };
      else {
        const versionId = dataset.currentVersionId ?? (await getLatestDatasetVersion(dataset.id))?.id;
        if (!versionId) throw new UserError("There is no stored version to reload; upload a file first", 409);
        opts = { versionId };
      }
    }
    const load = await requestDatasetLoad(dataset.id, opts, actor);
    revalidateDataset(dataset.name);
    return { loadId: load.id };
  });
}

/** Loads one stored version again (it becomes the current data). */
export async function reloadVersionAction(_prev: ActionResult<Queued>, form: FormData): Promise<ActionResult<Queued>> {
  return runAction("reloadDatasetVersion", async () => {
    const actor = await requireRole("editor");
    const { datasetId, versionId } = datasetVersionReloadInput.parse(Object.fromEntries(form));
    const dataset = await datasetOrThrow(datasetId);
    const load = await requestDatasetLoad(dataset.id, { versionId }, actor);
    revalidateDataset(dataset.name);
    return { loadId: load.id };
  });
}

/** Sets or clears ("auto") a column's type; the current version is reloaded to check every value. */
export async function setColumnTypeAction(
  _prev: ActionResult<Queued & { column: string; type: string }>,
  form: FormData,
): Promise<ActionResult<Queued & { column: string; type: string }>> {
  return runAction("setColumnType", async () => {
    const actor = await requireRole("editor");
    const { datasetId, column, type } = columnOverrideInput.parse(Object.fromEntries(form));
    const dataset = await datasetOrThrow(datasetId);
    const load = await setColumnType(dataset.id, column, type, actor);
    revalidateDataset(dataset.name);
    return { loadId: load.id, column, type };
  });
}

/**
 * "How the file was read" on the dataset page: new read options, and the current version loaded
 * again with them. The form's empty fields mean "detect".
 */
export async function setReadOptionsAction(_prev: ActionResult<MaybeQueued>, form: FormData): Promise<ActionResult<MaybeQueued>> {
  return runAction("setReadOptions", async () => {
    const actor = await requireRole("editor");
    // The same form fields as the new-dataset form's options, read the same way; the read-option
    // schema keeps only the keys that say how a file is read.
    const load = await setReadOptions({ ...optionsFromFormData(form), datasetId: String(form.get("datasetId") ?? "") }, actor);
    const dataset = await getDatasetById(String(form.get("datasetId") ?? ""));
    if (dataset) revalidateDataset(dataset.name);
    return { loadId: load?.id ?? null };
  });
}

/** Reads an ambiguous date column day first or month first, reloading the current version. */
export async function setDateOrderAction(_prev: ActionResult<MaybeQueued>, form: FormData): Promise<ActionResult<MaybeQueued>> {
  return runAction("setDateOrder", async () => {
    const actor = await requireRole("editor");
    const { datasetId, dateOrder } = dateOrderInput.parse(Object.fromEntries(form));
    const dataset = await datasetOrThrow(datasetId);
    const load = await setDateOrder(dataset.id, dateOrder, actor);
    revalidateDataset(dataset.name);
    return { loadId: load?.id ?? null };
  });
}

export type SavedSettings = { freshness: Dataset["freshness"]; schemaPolicy: Dataset["schemaPolicy"] };

/** An empty field is no threshold (the settings input refuses "" as a duration). */
function optionalText(form: FormData, key: string): string | null {
  const value = form.get(key);
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/**
 * The dataset page's settings: freshness thresholds and the schema policy. Saved as they are, no
 * load: both apply from the next check and the next file. Field errors come back under
 * `freshness.warnAfter`, `freshness.errorAfter` and `schemaPolicy`.
 */
export async function updateDatasetSettingsAction(
  _prev: ActionResult<SavedSettings>,
  form: FormData,
): Promise<ActionResult<SavedSettings>> {
  return runAction("updateDatasetSettings", async () => {
    const actor = await requireRole("editor");
    const { datasetId } = datasetIdInput.parse(Object.fromEntries(form));
    const input = datasetSettingsInput.parse({
      freshness: { warnAfter: optionalText(form, "warnAfter"), errorAfter: optionalText(form, "errorAfter") },
      schemaPolicy: form.get("schemaPolicy") ?? undefined,
    });
    const dataset = await datasetOrThrow(datasetId);
    const updated = await updateDatasetSettings(dataset.id, input, actor);
    revalidateDataset(dataset.name);
    revalidatePath("/");
    return { freshness: updated.freshness, schemaPolicy: updated.schemaPolicy };
  });
}

/** Drops the dataset's staging and warehouse tables and every stored version, then opens the list. */
export async function deleteDatasetAction(_prev: ActionResult<{ name: string }>, form: FormData): Promise<ActionResult<{ name: string }>> {
  const result = await runAction("deleteDataset", async () => {
    const auditActor = await requireRole("editor");
    const { datasetId } = datasetIdInput.parse(Object.fromEntries(form));
    const dataset = await datasetOrThrow(datasetId);
    await removeDataset(dataset.id, auditActor);
    revalidatePath("/datasets");
    return { name: dataset.name };
  });
  if (result.ok) redirect(`/datasets?deleted=${encodeURIComponent(result.data.name)}`);
  return result;
}
