import { and, asc, count, eq, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import { loginAttempts, loginThrottle, users, type Role, type User } from "@/db/schema/users";

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

export async function insertLoginAttempt(values: { email: string; ip: string; succeeded: boolean }, tx: DbOrTx = getDb()): Promise<void> {
  await tx.insert(loginAttempts).values(values);
}

/**
 * Checks and records a failed-attempt slot under each key in one statement. A key that already
 * holds `max` failures after `since` is left as it is; every other key gets `at` appended (older
 * entries pruned). The upsert locks each row, so parallel attempts queue on it and see each
 * other's slots. Rows are locked in key order, the same in every call. Returns the keys that
 * got a slot.
 */
export async function reserveLoginFailures(
  limits: { key: string; max: number }[],
  at: Date,
  since: Date,
  tx: DbOrTx = getDb(),
): Promise<Set<string>> {
  if (limits.length === 0) return new Set();
  const values = sql.join(
    limits.map((l) => sql`(${l.key}::text, ${l.max}::int)`),
    sql`, `,
  );
  const sinceAt = sql`${since.toISOString()}::timestamptz`;
  const rows = await tx.execute<{ key: string }>(sql`
    with limits(key, max) as (values ${values})
    insert into ${loginThrottle} as t (key, failures)
    select key, array[${at.toISOString()}::timestamptz] from limits order by key
    on conflict (key) do update
      set failures = array(select f from unnest(t.failures) as f where f > ${sinceAt} order by f) || excluded.failures
      where (select count(*) from unnest(t.failures) as f where f > ${sinceAt}) < (select l.max from limits l where l.key = t.key)
    returning t.key`);
  return new Set(rows.map((r) => r.key));
}

/** Gives back one slot taken at `at` (the attempt succeeded, or another key refused it). */
export async function releaseLoginFailure(key: string, at: Date, tx: DbOrTx = getDb()): Promise<void> {
  const ts = sql`${at.toISOString()}::timestamptz`;
  await tx.execute(sql`
    update ${loginThrottle}
    set failures = failures[:array_position(failures, ${ts}) - 1] || failures[array_position(failures, ${ts}) + 1:]
    where key = ${key} and ${ts} = any(failures)`);
}
