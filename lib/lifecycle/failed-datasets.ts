import type { AuditActor } from "@/lib/audit";
import { getActiveDatasetLoad, getDatasetById, listDatasets, listLatestLoads } from "@/db/queries/datasets";
import type { Dataset, DatasetLoad } from "@/db/schema/datasets";
import { UserError } from "@/lib/errors";
import { removeDataset } from "@/lib/ingest/manage";
import { getLogger } from "@/lib/log";

/**
 * "Remove failed datasets": datasets whose loads failed and that never held data (no current
 * version), with no load waiting or running. Anything else is kept, with the reason.
 */

const ACTIVE: readonly DatasetLoad["status"][] = ["queued", "running"];

/** Why a dataset may not go in the bulk cleanup, or null when it may. */
export function keepReason(dataset: Pick<Dataset, "status" | "currentVersionId">, activeLoad: boolean): string | null {
  if (activeLoad) return "a load is queued or running";
  if (dataset.currentVersionId) return "it has loaded data";
  if (dataset.status !== "failed") return "its status is no longer failed";
  return null;
}

/** The datasets the cleanup would remove now, for the list page's offer. */
export async function listRemovableFailedDatasets(): Promise<Dataset[]> {
  const [datasets, latest] = await Promise.all([listDatasets(), listLatestLoads()]);
  const busy = new Set(latest.filter((l) => ACTIVE.includes(l.status)).map((l) => l.datasetId));
  return datasets.filter((d) => keepReason(d, busy.has(d.id)) === null);
}

export type FailedCleanup = { removed: string[]; kept: { name: string; reason: string }[] };

/**
 * Removes the given datasets that still qualify, each checked again here (the list the user
 * confirmed may be stale); the rest are kept and reported. One failure does not stop the others.
 */
export async function removeFailedDatasets(ids: readonly string[], actor?: AuditActor): Promise<FailedCleanup> {
  const result: FailedCleanup = { removed: [], kept: [] };
  for (const id of new Set(ids)) {
    const dataset = await getDatasetById(id);
    if (!dataset) continue; // Already gone: nothing to remove or keep.
    const reason = keepReason(dataset, Boolean(await getActiveDatasetLoad(dataset.id)));
    if (reason) {
      result.kept.push({ name: dataset.name, reason });
      continue;
    }
    try {
      await removeDataset(dataset.id, actor);
      result.removed.push(dataset.name);
    } catch (err) {
      if (err instanceof UserError) result.kept.push({ name: dataset.name, reason: err.message });
      else {
        getLogger().error({ err, datasetId: dataset.id }, "removing a failed dataset failed");
        result.kept.push({ name: dataset.name, reason: "it could not be removed (the server log has the details)" });
      }
    }
  }
  return result;
}
