import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import { apiRateWindows, apiTokens, type ApiToken } from "@/db/schema/api-tokens";
import { users } from "@/db/schema/users";

export async function insertApiToken(values: typeof apiTokens.$inferInsert, tx: DbOrTx = getDb()): Promise<ApiToken> {
  const [row] = await tx.insert(apiTokens).values(values).returning();
  return row!;
}

export async function listApiTokensForUser(userId: string, tx: DbOrTx = getDb()): Promise<ApiToken[]> {
  return tx.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt));
}

/** The token and its owner, when the hash matches a token that is neither revoked nor expired. */
export async function getActiveTokenByHash(tokenHash: string, tx: DbOrTx = getDb()) {
  const [row] = await tx
    .select({ token: apiTokens, user: { id: users.id, email: users.email, name: users.name, role: users.role, active: users.active } })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, tokenHash),
        isNull(apiTokens.revokedAt),
        sql`(${apiTokens.expiresAt} is null or ${apiTokens.expiresAt} > now())`,
      ),
    );
  return row ?? null;
}

export async function touchApiToken(id: string, tx: DbOrTx = getDb()): Promise<void> {
  await tx
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiTokens.id, id), sql`(${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} < now() - interval '1 minute')`));
}

export async function revokeApiToken(id: string, userId: string | null, tx: DbOrTx = getDb()): Promise<boolean> {
  const rows = await tx
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt), userId ? eq(apiTokens.userId, userId) : sql`true`))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

/** Counts one request in the token's current minute and returns the new count. */
export async function countApiRequest(tokenId: string, tx: DbOrTx = getDb()): Promise<{ count: number; resetInSeconds: number }> {
  const rows = await tx.execute<{ count: number; reset: number }>(sql`
    insert into ${apiRateWindows} (token_id, window_start, count) values (${tokenId}, date_trunc('minute', now()), 1)
    on conflict (token_id, window_start) do update set count = ${apiRateWindows.count} + 1
    returning count, ceil(extract(epoch from (date_trunc('minute', now()) + interval '1 minute' - now())))::int as reset`);
  return { count: Number(rows[0]!.count), resetInSeconds: Number(rows[0]!.reset) };
}
