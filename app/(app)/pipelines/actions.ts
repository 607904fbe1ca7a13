"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { UserError } from "@/lib/errors";
import { createPipeline, editPipeline, removePipeline, setPipelinePaused } from "@/lib/pipeline/pipelines";
import { requestRun } from "@/lib/pipeline/runs";
import { describeSchedule } from "@/lib/pipeline/schedule";
import { deliveryPreviewInput, type pipelineInput } from "@/lib/validation/pipelines";
import { previewDelivery, sendDeliveryTest, type DeliveryPreview } from "@/lib/pipeline/delivery-preview";
import { getDefaultDestination } from "@/db/queries/destinations";
import { getPipelineById } from "@/db/queries/pipelines";
import { formatInZone } from "@/lib/format";

// Each action checks the role itself: the page's check does not protect its actions.

const idInput = z.object({ id: z.string().uuid("Unknown pipeline") });

function revalidate(id?: string) {
  revalidatePath("/pipelines");
  revalidatePath("/");
  if (id) revalidatePath(`/pipelines/${id}`);
}

export type SavedPipeline = { id: string; name: string; created: boolean };
export type PipelinePayload = { id: string | null; input: z.input<typeof pipelineInput> };

/** Creates a pipeline (the form then opens it) or saves an existing one; its dataset cannot change. */
export async function savePipelineAction(payload: PipelinePayload): Promise<ActionResult<SavedPipeline>> {
  return runAction("savePipeline", async () => {
    const user = await requireRole("editor");
    if (!payload || typeof payload !== "object" || !payload.input || typeof payload.input !== "object") {
      throw new UserError("The form was sent incompletely; reload the page and try again");
    }
    if (payload.id) {
      const { id } = idInput.parse({ id: payload.id });
      // The update input has no datasetId: a pipeline keeps the dataset it was made for.
      const { datasetId: _datasetId, ...rest } = payload.input;
      const saved = await editPipeline({ ...rest, id }, user);
      revalidate(saved.id);
      return { id: saved.id, name: saved.name, created: false };
    }
    const created = await createPipeline(payload.input, user);
    revalidate(created.id);
    return { id: created.id, name: created.name, created: true };
  });
}

export type ScheduleHint = { description: string; nextRuns: { iso: string; text: string }[] };

/** The schedule in words and its next three runs, for the form's live hint. */
export async function describeScheduleAction(cron: string, timezone: string): Promise<ActionResult<ScheduleHint>> {
  return runAction("describeSchedule", async () => {
    await requireRole("editor");
    const input = z
      .object({ cron: z.string().trim().min(1).max(120), timezone: z.string().trim().min(1).max(64) })
      .parse({ cron, timezone });
    const info = describeSchedule(input.cron, input.timezone);
    return {
      description: info.description,
      nextRuns: info.nextRuns.map((d) => ({ iso: d.toISOString(), text: formatInZone(d, info.timezone) })),
    };
  });
}

/** "Run now" and "Run now (force)": requests a run and opens its page. */
export async function runPipelineAction(_prev: ActionResult<{ runId: string }>, form: FormData): Promise<ActionResult<{ runId: string }>> {
  const result = await runAction("runPipeline", async () => {
    const user = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    const run = await requestRun(id, { trigger: "manual", force: form.get("force") === "true", actor: user });
    revalidate(id);
    revalidatePath("/runs");
    return { runId: run.id };
  });
  if (result.ok) redirect(`/runs/${result.data.runId}`);
  return result;
}

export async function setPipelinePausedAction(
  _prev: ActionResult<{ paused: boolean }>,
  form: FormData,
): Promise<ActionResult<{ paused: boolean }>> {
  return runAction("setPipelinePaused", async () => {
    const auditActor = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    const saved = await setPipelinePaused(id, form.get("paused") === "true", auditActor);
    revalidate(id);
    return { paused: saved.paused };
  });
}

/**
 * "Delete pipeline": the pipeline with its runs, its "what changed" snapshots and its schedule, then
 * the list. A dataset's own pipeline and one with a run in progress are refused (409, shown as is).
 */
export async function deletePipelineAction(_prev: ActionResult<{ name: string }>, form: FormData): Promise<ActionResult<{ name: string }>> {
  const result = await runAction("deletePipeline", async () => {
    const auditActor = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    const pipeline = await getPipelineById(id);
    if (!pipeline) throw new UserError("This pipeline no longer exists", 404);
    await removePipeline(pipeline.id, auditActor);
    revalidate(pipeline.id);
    revalidatePath("/runs");
    return { name: pipeline.name };
  });
  // Outside runAction: redirect() works by throwing.
  if (result.ok) redirect(`/pipelines?deleted=${encodeURIComponent(result.data.name)}`);
  return result;
}

/** The message as the next run would post it (the model's rows, the last run's values). Read-only: viewers may look. */
export async function previewDeliveryAction(raw: unknown): Promise<ActionResult<DeliveryPreview>> {
  return runAction("previewDelivery", async () => {
    await requireRole("viewer");
    const input = deliveryPreviewInput.parse(raw);
    return previewDelivery(input);
  });
}

export type DeliveryTestResult = { status: "sent" | "failed" | "skipped"; destination: string; answer: string };

/** "Send test": the previewed message, once, to the message's destination (or the default). */
export async function sendDeliveryTestAction(raw: unknown): Promise<ActionResult<DeliveryTestResult>> {
  return runAction("sendDeliveryTest", async () => {
    await requireRole("editor");
    const { destinationId, ...input } = deliveryPreviewInput.parse(raw);
    const destination = destinationId ? { id: destinationId } : await getDefaultDestination();
    if (!destination) throw new UserError("No default destination: add one, or choose where this message goes", 400);
    const outcome = await sendDeliveryTest(input, destination.id);
    return {
      status: outcome.status,
      destination: destination.id,
      answer: outcome.slackResponse ?? outcome.delivery.error ?? (outcome.status === "sent" ? "ok" : "no answer"),
    };
  });
}
