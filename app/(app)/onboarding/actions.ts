"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { startSampleData } from "@/lib/onboarding/sample-data";

/** "Try it with sample data": sets the sample up (once) and opens the run to watch. */
export async function startSampleDataAction(
  _prev: ActionResult<{ runId: string }>,
  _form: FormData,
): Promise<ActionResult<{ runId: string }>> {
  const result = await runAction("startSampleData", async () => {
    const user = await requireRole("editor");
    const { runId } = await startSampleData(user);
    revalidatePath("/");
    revalidatePath("/datasets");
    return { runId };
  });
  // Outside runAction: redirect() works by throwing.
  if (result.ok) redirect(`/runs/${result.data.runId}`);
  return result;
}
