"use server";

import { headers } from "next/headers";
import { runAction, toFieldErrors, type ActionResult } from "@/lib/action-result";
import { clientFromHeaders } from "@/lib/auth/client-address";
import { assertMaySetUp } from "@/lib/auth/setup-token";
import { createFirstAdmin, isSetupComplete } from "@/lib/auth/users";
import { getEnv } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { setupInput, setupTokenField } from "@/lib/validation/users";

const SETUP_CLOSED = "Setup is already complete; sign in instead";

/**
 * First-run setup: only while no user exists, and from another machine only with the one-time
 * token the launcher printed (loopback clients need none). Checked here, not in the page: the
 * action can be called without it. createFirstAdmin re-checks under a lock, so two browsers racing
 * here cannot both become admin. Only the email comes back: the client signs in with the password
 * it still holds.
 */
export async function completeSetup(_prev: ActionResult<{ email: string }>, form: FormData): Promise<ActionResult<{ email: string }>> {
  return runAction("completeSetup", async () => {
    if (await isSetupComplete()) throw new UserError(SETUP_CLOSED, 409);
    const client = clientFromHeaders(await headers());
    assertMaySetUp(client, setupTokenField.parse(form.get("setupToken")), getEnv().dataDir);
    const parsed = setupInput.safeParse(Object.fromEntries(form));
    if (!parsed.success) throw new UserError("Please correct the highlighted fields", 400, toFieldErrors(parsed.error));
    const { email, name, password } = parsed.data;
    const user = await createFirstAdmin({ email, name, password });
    return { email: user.email };
  });
}
