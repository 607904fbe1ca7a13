import { audit, type AuditActor } from "@/lib/audit";
import crypto from "node:crypto";
import { countApiRequest, getActiveTokenByHash, insertApiToken, revokeApiToken, touchApiToken } from "@/db/queries/api-tokens";
import { getUserByEmail } from "@/db/queries/users";
import type { Role } from "@/db/schema/users";
import { roleAtLeast } from "@/lib/auth/roles";
import { UserError } from "@/lib/errors";

/** Prefixed so that secret scanners (and people) recognise a leaked token. */
export const TOKEN_PREFIX = "rb_";
export const RATE_LIMIT_PER_MINUTE = 600;

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

export type TokenOwner = { id: string; email: string; role: Role };

/** Creates a token (shown once; only its hash is stored) with a role no higher than its owner's. */
export async function createApiToken(
  owner: TokenOwner,
  input: { name: string; role?: Role; expiresAt?: Date | null },
): Promise<{ token: string; id: string; role: Role; displayPrefix: string }> {
  const name = input.name.trim();
  if (!name || name.length > 80) throw new UserError("Give the token a name (at most 80 characters)", 400, { name: ["Required"] });
  const role = input.role ?? (owner.role === "admin" ? "editor" : owner.role);
  if (!roleAtLeast(owner.role, role))
    throw new UserError(`A token cannot have more rights than its owner (${owner.role})`, 403, { role: ["Too high"] });
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
    throw new UserError("The expiry must be in the future", 400, { expiresAt: ["In the past"] });
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const row = await insertApiToken({
    userId: owner.id,
    name,
    role,
    tokenHash: hashToken(token),
    displayPrefix: token.slice(0, 10),
    expiresAt: input.expiresAt ?? null,
  });
  await audit(
    "token.created",
    { id: owner.id, email: owner.email },
    { type: "token", id: row.id, name },
    { role, expiresAt: input.expiresAt ?? null },
  );
  return { token, id: row.id, role, displayPrefix: row.displayPrefix };
}

export async function createApiTokenForEmail(email: string, input: { name: string; role?: Role; expiresAt?: Date | null }) {
  const user = await getUserByEmail(email);
  if (!user) throw new UserError(`No user with the email ${email}`, 404);
  if (!user.active) throw new UserError(`${email} is deactivated`, 409);
  return createApiToken({ id: user.id, email: user.email, role: user.role }, input);
}

export async function revokeToken(id: string, ownerId: string | null, actor?: AuditActor): Promise<void> {
  if (!(await revokeApiToken(id, ownerId))) throw new UserError("Token not found or already revoked", 404);
  await audit("token.revoked", actor ?? (ownerId ? { id: ownerId } : null), { type: "token", id });
}

export type ApiPrincipal = { tokenId: string | null; userId: string; email: string; role: Role };

/**
 * Authenticates a Bearer token: unknown, revoked, expired and deactivated-owner tokens are 401;
 * the effective role is the lower of the token's and its owner's current role. Each request is
 * counted against the per-token limit (429 past it).
 */
export async function authenticateBearer(
  header: string | null,
): Promise<{ principal: ApiPrincipal } | { status: 401 | 429; message: string; retryAfter?: number }> {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!match) return { status: 401, message: "Send an API token as: Authorization: Bearer rb_…" };
  const found = await getActiveTokenByHash(hashToken(match[1]!));
  if (!found || !found.user.active) return { status: 401, message: "The API token is invalid, expired or revoked" };
  const { count, resetInSeconds } = await countApiRequest(found.token.id);
  if (count > RATE_LIMIT_PER_MINUTE) {
    return {
      status: 429,
      message: `Rate limit of ${RATE_LIMIT_PER_MINUTE} requests per minute reached`,
      retryAfter: Math.max(1, resetInSeconds),
    };
  }
  void touchApiToken(found.token.id).catch(() => {});
  const role = roleAtLeast(found.user.role, found.token.role) ? found.token.role : found.user.role;
  return { principal: { tokenId: found.token.id, userId: found.user.id, email: found.user.email, role } };
}
