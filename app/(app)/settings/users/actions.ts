"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { changeUserRole, createUser, setUserActive } from "@/lib/auth/users";
import { UserError } from "@/lib/errors";
import type { Role } from "@/db/schema/users";
import { changeRoleInput, createUserInput, userIdInput } from "@/lib/validation/users";

// Each action checks the admin role itself: the page's check does not protect its actions.
// Invalid input throws a ZodError, which runAction answers as 400 with field errors.

export async function createUserAction(_prev: ActionResult<{ email: string }>, form: FormData): Promise<ActionResult<{ email: string }>> {
  return runAction("createUser", async () => {
    const auditActor = await requireRole("admin");
    const input = createUserInput.parse(Object.fromEntries(form));
    const user = await createUser(input, auditActor);
    revalidatePath("/settings/users");
    return { email: user.email };
  });
}

export async function changeUserRoleAction(
  _prev: ActionResult<{ email: string; role: Role }>,
  form: FormData,
): Promise<ActionResult<{ email: string; role: Role }>> {
  return runAction("changeUserRole", async () => {
    const actor = await requireRole("admin");
    const { userId, role } = changeRoleInput.parse(Object.fromEntries(form));
    // A role change ends the user's sessions; doing it to yourself would sign you out mid-task.
    if (userId === actor.id) throw new UserError("You cannot change your own role; ask another admin", 409);
    const user = await changeUserRole(userId, role, actor);
    revalidatePath("/settings/users");
    return { email: user.email, role: user.role };
  });
}

export async function deactivateUserAction(
  _prev: ActionResult<{ email: string }>,
  form: FormData,
): Promise<ActionResult<{ email: string }>> {
  return runAction("deactivateUser", async () => {
    const actor = await requireRole("admin");
    const { userId } = userIdInput.parse(Object.fromEntries(form));
    const user = await setUserActive(actor.id, userId, false); // refuses actor === user
    revalidatePath("/settings/users");
    return { email: user.email };
  });
}

export async function reactivateUserAction(
  _prev: ActionResult<{ email: string }>,
  form: FormData,
): Promise<ActionResult<{ email: string }>> {
  return runAction("reactivateUser", async () => {
    const actor = await requireRole("admin");
    const { userId } = userIdInput.parse(Object.fromEntries(form));
    const user = await setUserActive(actor.id, userId, true);
    revalidatePath("/settings/users");
    return { email: user.email };
  });
}
