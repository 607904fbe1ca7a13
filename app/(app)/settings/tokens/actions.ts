"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { createApiToken, revokeToken } from "@/lib/api/tokens";
import { roleField } from "@/lib/validation/users";

const createTokenInput = z.object({
  name: z.string().trim().min(1, "Give the token a name").max(80),
  role: roleField,
  expiresInDays: z.coerce.number().int().min(0).max(3650).default(0),
});

/** Creates a personal token; the secret is returned once, here, and never again. */
export async function createTokenAction(_: unknown, form: FormData): Promise<ActionResult<{ token: string; name: string }>> {
  return runAction("createToken", async () => {
    const user = await requireRole("viewer");
    const input = createTokenInput.parse(Object.fromEntries(form));
    const created = await createApiToken(user, {
      name: input.name,
      role: input.role,
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    });
    revalidatePath("/settings/tokens");
    return { token: created.token, name: input.name };
  });
}

export async function revokeTokenAction(_: unknown, form: FormData): Promise<ActionResult<{ id: string }>> {
  return runAction("revokeToken", async () => {
    const user = await requireRole("viewer");
    const { id } = z.object({ id: z.string().uuid() }).parse(Object.fromEntries(form));
    await revokeToken(id, user.id);
    revalidatePath("/settings/tokens");
    return { id };
  });
}
