"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { registerUrlDataset } from "@/lib/ingest/register";
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
