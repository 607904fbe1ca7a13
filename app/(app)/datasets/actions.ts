"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { nameTakenBy, registerUrlDataset } from "@/lib/ingest/register";
import { removeFailedDatasets, type FailedCleanup } from "@/lib/lifecycle/failed-datasets";
import { datasetNameCheckInput, failedDatasetsCleanupInput } from "@/lib/validation/datasets";
import { optionsFromFormData } from "./dataset-options";

/**
 * Registers a dataset fetched from a URL and queues its first load, then opens its page.
 * Invalid input (ZodError) and refusals (name taken 409, blocked address) come back as field
 * errors under "name", "csvUrl" and "options.*".
 */
export async function createUrlDatasetAction(
  _prev: ActionResult<{ name: string }>,
  form: FormData,
): Promise<ActionResult<{ name: string }>> {
  const result = await runAction("createUrlDataset", async () => {
    const actor = await requireRole("editor");
    const { dataset } = await registerUrlDataset(
      {
        name: String(form.get("name") ?? ""),
        csvUrl: String(form.get("csvUrl") ?? ""),
        options: optionsFromFormData(form),
      },
      actor,
    );
    revalidatePath("/datasets");
    return { name: dataset.name };
  });
  // Outside runAction: redirect() works by throwing.
  if (result.ok) redirect(`/datasets/${encodeURIComponent(result.data.name)}`);
  return result;
}

/**
 * "Remove N failed datasets" on the list: the datasets the user confirmed, each checked again here
 * (failed, never loaded, no load waiting or running) and removed; the others are kept and named
 * with the reason. An empty selection is a validation error (400).
 */
export async function removeFailedDatasetsAction(_prev: ActionResult<FailedCleanup>, form: FormData): Promise<ActionResult<FailedCleanup>> {
  return runAction("removeFailedDatasets", async () => {
    const actor = await requireRole("editor");
    const { datasetIds } = failedDatasetsCleanupInput.parse({ datasetIds: form.getAll("datasetId") });
    const result = await removeFailedDatasets(datasetIds, actor);
    revalidatePath("/datasets");
    revalidatePath("/pipelines");
    revalidatePath("/");
    return result;
  });
}

/**
 * Whether a dataset name is taken, asked by the new-dataset form while the name is typed (viewers
 * can read every name on the list already). The upload route and createUrlDatasetAction check again.
 */
export async function checkDatasetNameAction(input: unknown): Promise<ActionResult<{ takenBy: "dataset" | "model" | null }>> {
  return runAction("checkDatasetName", async () => {
    await requireRole("viewer");
    const { name } = datasetNameCheckInput.parse(input);
    return { takenBy: await nameTakenBy(name) };
  });
}
