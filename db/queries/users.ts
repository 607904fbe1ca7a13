import { and, asc, count, eq, gte, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import { loginAttempts, users, type Role, type User } from "@/db/schema/users";

export type PublicUser = Omit<User, "passwordHash">;

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  active: users.active,
  sessionVersion: users.sessionVersion,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export async function countUsers(tx: DbOrTx = getDb()): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

export async function getUserByEmail(email: string, tx: DbOrTx = getDb()): Promise<User | null> {
  const [row] = await tx.select().from(users).where(eq(users.email, email.toLowerCase()));
  return row ?? null;
}

export async function getUserById(id: string, tx: DbOrTx = getDb()): Promise<PublicUser | null> {
  const [row] = await tx.select(publicColumns).from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function listUsers(tx: DbOrTx = getDb()): Promise<PublicUser[]> {
  return tx.select(publicColumns).from(users).orderBy(asc(users.createdAt));
}

export async function countActiveAdmins(tx: DbOrTx = getDb()): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.active, true)));
  return row?.n ?? 0;
}

export async function insertUser(
  values: { email: string; name?: string; passwordHash: string; role: Role },
  tx: DbOrTx = getDb(),
): Promise<PublicUser | null> {
  const [row] = await tx
    .insert(users)
    .values({ ...values, email: values.email.toLowerCase() })
    .onConflictDoNothing({ target: users.email })
    .returning(publicColumns);
  return row ?? null;
}

export async function updateUserRole(id: string, role: Role, tx: DbOrTx = getDb()): Promise<PublicUser | null> {
  const [row] = await tx
    .update(users)
    .set({ role, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning(publicColumns);
  return row ?? null;
}

export async function updateUserActive(id: string, active: boolean, tx: DbOrTx = getDb()): Promise<PublicUser | null> {
  const [row] = await tx
    .update(users)
    .set({ active, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning(publicColumns);
  return row ?? null;
}

export async function insertLoginAttempt(
  values: { email: string; ip: string; succeeded: boolean },
  tx: DbOrTx = getDb(),
): Promise<void> {
  await tx.insert(loginAttempts).values(values);
}

/** Failed attempts since `since`: for one (email, IP) pair, and for the IP across all emails. */
export async function countLoginFailures(
  key: { email: string; ip: string },
  since: Date,
  tx: DbOrTx = getDb(),
): Promise<{ byPair: number; byIp: number }> {
  const [byPair] = await tx
    .select({ n: count() })
    .from(loginAttempts)
    .where(
      and(
        eq(loginAttempts.email, key.email),
        eq(loginAttempts.ip, key.ip),
        eq(loginAttempts.succeeded, false),
        gte(loginAttempts.attemptedAt, since),
      ),
    );
  const [byIp] = await tx
    .select({ n: count() })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.ip, key.ip), eq(loginAttempts.succeeded, false), gte(loginAttempts.attemptedAt, since)));
  return { byPair: byPair?.n ?? 0, byIp: byIp?.n ?? 0 };
}
