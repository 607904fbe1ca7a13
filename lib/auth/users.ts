import { audit, type AuditActor } from "@/lib/audit";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import type { Role } from "@/db/schema/users";
import {
  countActiveAdmins,
  countUsers,
  getUserById,
  insertUser,
  updateUserActive,
  updateUserRole,
  type PublicUser,
} from "@/db/queries/users";
import { hashPassword } from "@/lib/auth/passwords";
import { deleteSetupToken } from "@/lib/auth/setup-token";
import { getEnv } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { createUserInput, type CreateUserInput } from "@/lib/validation/users";

export async function createUser(input: CreateUserInput, actor?: AuditActor): Promise<PublicUser> {
  const data = createUserInput.parse(input);
  const passwordHash = await hashPassword(data.password);
  const user = await insertUser({ email: data.email, name: data.name, passwordHash, role: data.role });
  if (!user)
    throw new UserError(`A user with the email ${data.email} already exists`, 409, { email: ["This email is already registered"] });
  // Any user closes first-run setup (the admin CLI can create the first one), so its token goes too.
  deleteSetupToken(getEnv().dataDir);
  await audit("user.created", actor ?? { email: "cli" }, { type: "user", id: user.id, name: user.email }, { role: user.role });
  return user;
}

// Serialises first-run setup: two browsers submitting /setup together must not both become admin.
const SETUP_LOCK_KEY = 7_238_001_116;

/** Creates the first admin; refuses once any user exists (setup is then closed). */
export async function createFirstAdmin(input: { email: string; name?: string; password: string }): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  return getDb()
    .transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK_KEY})`);
      if ((await countUsers(tx)) > 0) throw new UserError("Setup is already complete; sign in instead", 409);
      const user = await insertUser({ email: input.email, name: input.name, passwordHash, role: "admin" }, tx);
      if (!user) throw new UserError("Setup is already complete; sign in instead", 409);
      return user;
    })
    .then(async (user) => {
      // Setup is closed for good: the one-time token has done its job.
      deleteSetupToken(getEnv().dataDir);
      await audit(
        "user.created",
        { id: user.id, email: user.email },
        { type: "user", id: user.id, name: user.email },
        { role: "admin", firstRun: true },
      );
      return user;
    });
}

export async function isSetupComplete(): Promise<boolean> {
  return (await countUsers()) > 0;
}

/** Guards the last active admin: an install must never lock itself out. */
async function assertNotLastAdmin(userId: string): Promise<void> {
  const user = await getUserById(userId);
  if (!user) throw new UserError("User not found", 404);
  if (user.role === "admin" && user.active && (await countActiveAdmins()) <= 1) {
    throw new UserError("This is the last active admin; make another user admin first", 409);
  }
}

export async function changeUserRole(userId: string, role: Role, actor?: AuditActor): Promise<PublicUser> {
  if (role !== "admin") await assertNotLastAdmin(userId);
  const user = await updateUserRole(userId, role);
  if (!user) throw new UserError("User not found", 404);
  await audit("user.role_changed", actor, { type: "user", id: user.id, name: user.email }, { role });
  return user;
}

export async function setUserActive(actorId: string, userId: string, active: boolean): Promise<PublicUser> {
  if (actorId === userId && !active) throw new UserError("You cannot deactivate yourself", 409);
  if (!active) await assertNotLastAdmin(userId);
  const user = await updateUserActive(userId, active);
  if (!user) throw new UserError("User not found", 404);
  await audit(active ? "user.reactivated" : "user.deactivated", { id: actorId }, { type: "user", id: user.id, name: user.email });
  return user;
}
