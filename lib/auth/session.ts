import { cache } from "react";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Role } from "@/db/schema/users";
import { getUserById, type PublicUser } from "@/db/queries/users";
import { getAuthOptionsFor } from "@/lib/auth/options";
import { roleAtLeast } from "@/lib/auth/roles";
import { AuthRequiredError, ForbiddenError } from "@/lib/errors";
import { isSetupComplete } from "@/lib/auth/users";

export type SessionUser = Pick<PublicUser, "id" | "email" | "name" | "role">;

/**
 * The signed-in user, read fresh from the database on every request: a deactivated user, or one
 * whose role or password changed (session version bumped), loses access on the next request.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(getAuthOptionsFor(await headers()));
  const claims = session?.user as { id?: string; sv?: number } | undefined;
  if (!claims?.id) return null;
  const user = await getUserById(claims.id);
  if (!user || !user.active || claims.sv !== user.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
});

/** For pages and layouts: sends visitors without a valid session to /login (or /setup on a new install). */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) {
    if (!(await isSetupComplete())) redirect("/setup");
    redirect("/login");
  }
  return user;
}

/** For pages only an admin or editor may see. */
export async function requirePageRole(role: Role): Promise<SessionUser> {
  const user = await requireUser();
  if (!roleAtLeast(user.role, role)) redirect("/?forbidden=1");
  return user;
}

/** For server actions and route handlers: throws 401/403 errors that the caller turns into its answer. */
export async function requireRole(role: Role): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new AuthRequiredError();
  if (!roleAtLeast(user.role, role)) {
    throw new ForbiddenError(`This needs the ${role} role; your role is ${user.role}. Ask an admin for access.`);
  }
  return user;
}
