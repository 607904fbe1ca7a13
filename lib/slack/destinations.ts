import { audit, type AuditActor } from "@/lib/audit";
import crypto from "node:crypto";
import { z } from "zod";
import { getDb } from "@/db";
import {
  clearDefaultDestination,
  deleteDestination,
  getDestinationById,
  insertDestination,
  listDestinations,
  updateDestination,
} from "@/db/queries/destinations";
import type { Destination } from "@/db/schema/destinations";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secret-box";
import { getEnv } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { maskWebhookUrl, validateWebhookUrl } from "@/lib/slack/webhook-url";
import { createDestinationInput, updateDestinationInput } from "@/lib/validation/destinations";

type Actor = { id: string };

/** What pages and the API may show about a destination: never the URL itself. */
export type PublicDestination = {
  id: string;
  name: string;
  /** "sample": a test channel, which records messages and posts nothing (see lib/slack/sample-destination.ts). */
  kind: "webhook" | "sample";
  webhookUrlMasked: string;
  default: boolean;
  status: "ok" | "needs_attention";
  attentionReason: string | null;
  createdAt: Date;
};

export function toPublicDestination(d: Destination): PublicDestination {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    webhookUrlMasked:
      d.kind === "sample" ? "None: a test channel records messages and posts nothing" : maskWebhookUrl(d.webhookHost, d.webhookLast4),
    default: d.isDefault,
    status: d.status,
    attentionReason: d.attentionReason,
    createdAt: d.createdAt,
  };
}

function sealUrl(id: string, url: URL) {
  const text = url.toString();
  return {
    webhookCiphertext: encryptSecret(text, getEnv().encryptionKey, `destination:${id}`),
    // The origin (scheme, host, port) is not secret; the path is.
    webhookHost: url.origin,
    webhookLast4: text.replace(/\/+$/, "").slice(-4),
  };
}

export function revealWebhookUrl(destination: Destination): string {
  return decryptSecret(destination.webhookCiphertext, getEnv().encryptionKey, `destination:${destination.id}`);
}

export async function listPublicDestinations(): Promise<PublicDestination[]> {
  return (await listDestinations()).map(toPublicDestination);
}

/** Adds a destination; the first one (not counting a test channel that is not the default) becomes the default. */
export async function createDestination(raw: z.input<typeof createDestinationInput>, actor: Actor): Promise<PublicDestination> {
  const input = createDestinationInput.parse(raw);
  const url = validateWebhookUrl(input.webhookUrl);
  const id = crypto.randomUUID();
  const name = input.name ?? `Slack webhook …${url.toString().replace(/\/+$/, "").slice(-4)}`;
  return getDb()
    .transaction(async (tx) => {
      const existing = await listDestinations(tx);
      // The first real webhook becomes the default even after a test channel (which never is one on its own).
      const makeDefault = input.default === true || !existing.some((d) => d.kind === "webhook" || d.isDefault);
      if (makeDefault) await clearDefaultDestination(tx);
      const row = await insertDestination({ id, name, ...sealUrl(id, url), isDefault: makeDefault, createdBy: actor.id }, tx);
      if (!row) throw new UserError(`A destination named ${name} already exists`, 409, { name: ["This name is taken"] });
      return toPublicDestination(row);
    })
    .then(async (destination) => {
      await audit(
        "destination.created",
        actor,
        { type: "destination", id: destination.id, name: destination.name },
        { default: destination.default },
      );
      return destination;
    });
}

export async function editDestination(raw: z.input<typeof updateDestinationInput>, actor?: AuditActor): Promise<PublicDestination> {
  const input = updateDestinationInput.parse(raw);
  return getDb()
    .transaction(async (tx) => {
      const current = await getDestinationById(input.id, tx);
      if (!current) throw new UserError("Destination not found", 404);
      const values: Parameters<typeof updateDestination>[1] = {};
      if (input.name) values.name = input.name;
      if (input.webhookUrl) {
        // A new URL replaces the whole secret; its status starts fresh.
        // A sample destination given a real URL becomes a real one.
        Object.assign(values, sealUrl(current.id, validateWebhookUrl(input.webhookUrl)), {
          kind: "webhook",
          status: "ok",
          attentionReason: null,
        });
      }
      if (input.default) {
        await clearDefaultDestination(tx);
        values.isDefault = true;
      }
      const row = await updateDestination(current.id, values, tx).catch((err) => {
        if ((err as { code?: string }).code === "23505")
          throw new UserError(`A destination named ${input.name} already exists`, 409, { name: ["This name is taken"] });
        throw err;
      });
      return toPublicDestination(row!);
    })
    .then(async (destination) => {
      // Which fields changed, never their values (the URL is a secret).
      await audit(
        "destination.updated",
        actor,
        { type: "destination", id: destination.id, name: destination.name },
        { changed: Object.keys(input).filter((k) => k !== "id") },
      );
      return destination;
    });
}

export async function removeDestination(id: string, actor?: AuditActor): Promise<void> {
  const current = await getDestinationById(id);
  if (!current) throw new UserError("Destination not found", 404);
  await deleteDestination(id);
  await audit("destination.deleted", actor, { type: "destination", id, name: current.name });
}

export async function clearDestinationFlag(id: string): Promise<void> {
  await updateDestination(id, { status: "ok", attentionReason: null });
}

export async function flagDestination(id: string, reason: string): Promise<void> {
  await updateDestination(id, { status: "needs_attention", attentionReason: reason.slice(0, 500) });
}
