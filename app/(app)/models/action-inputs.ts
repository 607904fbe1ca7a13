import { z } from "zod";
import { materializations } from "@/db/schema/models";
import { modelNameField } from "@/lib/validation/models";

// The editor's actions take plain objects, not FormData; these check their shape on the server.
// The model itself is validated by saveModel (modelInput), so its field errors keep their paths.

/** A name typed into the new-model form may still be empty or invalid while compiling. */
export const draftNameField = z.string().max(200);

export const compileInput = z.object({
  name: draftNameField,
  sql: z.string().max(200_000, "The SQL is too long"),
  materialization: z.enum(materializations),
});

export const previewInput = z.object({ name: draftNameField, sql: z.string().max(200_000, "The SQL is too long") });

export const saveInput = z.object({ isNew: z.boolean(), model: z.record(z.string(), z.unknown()) });

export const buildInput = z.object({ name: modelNameField, withDownstream: z.boolean() });

export const restoreInput = z.object({ name: modelNameField, revision: z.number().int().min(1) });

export const nameInput = z.object({ name: modelNameField });

/** The name to compile a draft under: its own when valid, else a reserved placeholder no model can have. */
export function compileName(name: string): string {
  return modelNameField.safeParse(name).success ? name.trim() : "_rb_draft";
}
