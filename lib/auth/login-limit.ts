import { countLoginFailures, insertLoginAttempt } from "@/db/queries/users";

/**
 * Failures are counted per (email, IP) pair, so one attacker cannot lock a colleague out from
 * elsewhere, plus a wider per-IP ceiling against spraying many emails from one address.
 */
export const LOGIN_LIMIT = { maxFailures: 10, maxFailuresPerIp: 100, windowMinutes: 15 } as const;

export type LoginLimitKey = { email: string; ip: string };

/** Counted in Postgres, so the limit holds across web processes and restarts. */
export async function isLoginLimited(key: LoginLimitKey, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - LOGIN_LIMIT.windowMinutes * 60_000);
  const { byPair, byIp } = await countLoginFailures(normalizeKey(key), since);
  return byPair >= LOGIN_LIMIT.maxFailures || byIp >= LOGIN_LIMIT.maxFailuresPerIp;
}

export async function recordLoginAttempt(key: LoginLimitKey, succeeded: boolean): Promise<void> {
  await insertLoginAttempt({ ...normalizeKey(key), succeeded });
}

export const LOGIN_LIMITED_MESSAGE = `Too many failed sign-in attempts. Try again in ${LOGIN_LIMIT.windowMinutes} minutes.`;

function normalizeKey(key: LoginLimitKey): LoginLimitKey {
  return { email: key.email.trim().toLowerCase().slice(0, 254), ip: key.ip.slice(0, 64) };
}

/**
 * The client address as the reverse proxy (or Next's own server, which sets it) reports it.
 * Only the first hop is taken; a spoofed value can only split one attacker across keys,
 * and the per-email limit still holds.
 */
export function clientIpFromHeaders(headers: { get(name: string): string | null } | Record<string, unknown>): string {
  const read = (name: string): string | undefined => {
    if (typeof (headers as { get?: unknown }).get === "function") {
      return (headers as { get(name: string): string | null }).get(name) ?? undefined;
    }
    const value = (headers as Record<string, unknown>)[name];
    return Array.isArray(value) ? String(value[0]) : typeof value === "string" ? value : undefined;
  };
  const forwarded = read("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || read("x-real-ip")?.trim() || "unknown";
}
