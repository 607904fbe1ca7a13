"use server";

import { runAction, toFieldErrors, type ActionResult } from "@/lib/action-result";
import { createFirstAdmin, isSetupComplete } from "@/lib/auth/users";
import { UserError } from "@/lib/errors";
import { setupInput } from "@/lib/validation/users";

const SETUP_CLOSED = "Setup is already complete; sign in instead";

/**
 * First-run setup: open to anyone, but only while no user exists. createFirstAdmin re-checks under
 * a lock, so two browsers racing here cannot both become admin. Only the email comes back: the
 * client signs in with the password it still holds.
 */
export async function completeSetup(_prev: ActionResult<{ email: string }>, form: FormData): Promise<ActionResult<{ email: string }>> {
  return runAction("completeSetup", async () => {
    if (await isSetupComplete()) throw new UserError(SETUP_CLOSED, 409);
    const parsed = setupInput.safeParse(Object.fromEntries(form));
    if (!parsed.success) throw new UserError("Please correct the highlighted fields", 400, toFieldErrors(parsed.error));
    const { email, name, password } = parsed.data;
    const user = await createFirstAdmin({ email, name, password });
    return { email: user.email };
  });
}
