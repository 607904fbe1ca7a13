"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { createDestination, editDestination, removeDestination, toPublicDestination } from "@/lib/slack/destinations";
import { ensureTestChannel } from "@/lib/slack/sample-destination";
import { sendTestMessage } from "@/lib/slack/deliver";
import type { SlackPayload } from "@/lib/slack/limits";
import { previewMessage } from "@/lib/slack/preview";
import { listDeliveryAttempts } from "@/db/queries/destinations";
import { messageTemplateInput } from "@/lib/validation/destinations";

// Each action checks the editor role itself: the page's check does not protect its actions.
// Results never carry the webhook URL, only what toPublicDestination shows (the masked form).

const idInput = z.object({ id: z.string().uuid("Unknown destination") });

/** FormData → the optional text a user may leave empty: "" means "not given". */
function optionalText(form: FormData, key: string): string | undefined {
  const value = form.get(key);
  if (typeof value !== "string") return undefined;
  return value.trim() === "" ? undefined : value;
}

function checked(form: FormData, key: string): boolean {
  const value = form.get(key);
  return value === "on" || value === "true";
}

function revalidate(id?: string) {
  revalidatePath("/destinations");
  if (id) revalidatePath(`/destinations/${id}`);
}

export type SavedDestination = { id: string; name: string; webhookUrlMasked: string; default: boolean };

export async function createDestinationAction(
  _prev: ActionResult<SavedDestination>,
  form: FormData,
): Promise<ActionResult<SavedDestination>> {
  return runAction("createDestination", async () => {
    const user = await requireRole("editor");
    const created = await createDestination(
      {
        webhookUrl: String(form.get("webhookUrl") ?? ""),
        name: optionalText(form, "name"),
        default: checked(form, "default") || undefined,
      },
      user,
    );
    revalidate();
    return { id: created.id, name: created.name, webhookUrlMasked: created.webhookUrlMasked, default: created.default };
  });
}

export async function editDestinationAction(
  _prev: ActionResult<SavedDestination>,
  form: FormData,
): Promise<ActionResult<SavedDestination>> {
  return runAction("editDestination", async () => {
    const auditActor = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    // The name field is always on the form; an emptied one is an error, not "keep".
    const name = form.get("name");
    const saved = await editDestination(
      {
        id,
        name: typeof name === "string" ? name : undefined,
        webhookUrl: optionalText(form, "webhookUrl"),
      },
      auditActor,
    );
    revalidate(id);
    return { id: saved.id, name: saved.name, webhookUrlMasked: saved.webhookUrlMasked, default: saved.default };
  });
}

export async function makeDefaultDestinationAction(
  _prev: ActionResult<SavedDestination>,
  form: FormData,
): Promise<ActionResult<SavedDestination>> {
  return runAction("makeDefaultDestination", async () => {
    const auditActor = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    const saved = await editDestination({ id, default: true }, auditActor);
    revalidate(id);
    return { id: saved.id, name: saved.name, webhookUrlMasked: saved.webhookUrlMasked, default: saved.default };
  });
}

export async function deleteDestinationAction(_prev: ActionResult<{ id: string }>, form: FormData): Promise<ActionResult<{ id: string }>> {
  return runAction("deleteDestination", async () => {
    const auditActor = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    await removeDestination(id, auditActor);
    revalidatePath("/destinations");
    // From its own page there is nothing left to show; re-rendering it would answer 404.
    if (form.get("then") === "list") redirect("/destinations");
    return { id };
  });
}

export type TestChannelSaved = SavedDestination & { created: boolean };

/**
 * "Add a test channel": a destination that records messages instead of posting them, so a
 * delivery can be seen without a Slack webhook. Takes no input; a second call returns the same one.
 */
export async function addTestChannelAction(
  _prev: ActionResult<TestChannelSaved>,
  _form: FormData,
): Promise<ActionResult<TestChannelSaved>> {
  return runAction("addTestChannel", async () => {
    const user = await requireRole("editor");
    const { destination, created } = await ensureTestChannel(user);
    const saved = toPublicDestination(destination);
    revalidate(saved.id);
    return { id: saved.id, name: saved.name, webhookUrlMasked: saved.webhookUrlMasked, default: saved.default, created };
  });
}

export type TestMessageResult = {
  status: "sent" | "failed" | "skipped";
  /** What Slack (or the network) answered, e.g. "ok", "404 no_service", "connection refused". */
  answer: string;
  permanent: boolean;
  at: string;
};

export async function sendTestMessageAction(
  _prev: ActionResult<TestMessageResult>,
  form: FormData,
): Promise<ActionResult<TestMessageResult>> {
  return runAction("sendTestMessage", async () => {
    const user = await requireRole("editor");
    const { id } = idInput.parse({ id: form.get("id") });
    const outcome = await sendTestMessage(id, user.email);
    let answer = outcome.slackResponse ?? "";
    if (outcome.status === "failed") {
      // The outcome carries the body but not the HTTP status; the attempt log has both.
      const last = (await listDeliveryAttempts(outcome.delivery.id)).at(-1);
      if (last) answer = [last.statusCode, last.response].filter((part) => part !== null && part !== "").join(" ") || last.error || answer;
    }
    // A permanent failure flags the destination; the list shows it at once.
    revalidate(id);
    return {
      status: outcome.status,
      answer: answer || (outcome.status === "sent" ? "ok" : "no answer"),
      permanent: outcome.permanent ?? false,
      at: new Date().toISOString(),
    };
  });
}

export async function previewMessageAction(template: unknown): Promise<ActionResult<SlackPayload>> {
  return runAction("previewMessage", async () => {
    await requireRole("editor");
    return previewMessage(messageTemplateInput.parse(template));
  });
}
