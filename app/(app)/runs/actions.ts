"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { cancelRun, retryRunFromFailedStep } from "@/lib/pipeline/runs";
import type { Run } from "@/db/schema/pipelines";

// Each action checks the editor role itself: the page's check does not protect its actions.

const idInput = z.object({ id: z.string().uuid("Unknown run") });

export type RunChange = { id: string; status: Run["status"]; cancelRequested: boolean };

function revalidate(run: Run) {
  revalidatePath("/runs");
  revalidatePath(`/runs/${run.id}`);
  revalidatePath(`/pipelines/${run.pipelineId}`);
  revalidatePath("/");
}

/** A waiting run ends at once; a running one stops at its next safe point. */
export async function cancelRunAction(_prev: ActionResult<RunChange>, form: FormData): Promise<ActionResult<RunChange>> {
  return runAction("cancelRun", async () => {
    const auditActor = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    const run = await cancelRun(id, auditActor);
    revalidate(run);
    return { id: run.id, status: run.status, cancelRequested: run.cancelRequested };
  });
}

/** Re-runs the failed step and everything after it, in the same run. */
export async function retryRunAction(_prev: ActionResult<RunChange>, form: FormData): Promise<ActionResult<RunChange>> {
  return runAction("retryRun", async () => {
    const auditActor = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    const run = await retryRunFromFailedStep(id, auditActor);
    revalidate(run);
    return { id: run.id, status: run.status, cancelRequested: run.cancelRequested };
  });
}
