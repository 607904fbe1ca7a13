import { runOutcomes } from "@/db/schema/pipelines";
import { z } from "zod";

/** Query strings and bodies of the REST API that are not shared with forms. */
export const rowsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const runsQuery = z
  .object({
    pipelineId: z.string().uuid().optional(),
    status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]).optional(),
    outcome: z.enum(runOutcomes).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const buildModelInput = z.object({ withDownstream: z.boolean().default(false) }).strict();

/** Keyset cursor: the last run's id, base64url-encoded (opaque to clients). */
export function encodeCursor(run: { id: string }): string {
  return Buffer.from(run.id).toString("base64url");
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!z.string().uuid().safeParse(id).success) {
    throw new z.ZodError([{ code: "custom", path: ["cursor"], message: "Invalid cursor", input: cursor }]);
  }
  return id;
}
