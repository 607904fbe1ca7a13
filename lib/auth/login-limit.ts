import { insertLoginAttempt, releaseLoginFailure, reserveLoginFailures } from "@/db/queries/users";

/**
 * Failed sign-ins are limited per account, whatever the address (rotating addresses buys nothing),
 * and per client address across accounts (spraying). A colleague can therefore lock an account for
 * one window; that is the price of a guess limit that holds against many addresses.
 */
export const LOGIN_LIMIT = { maxFailures: 10, maxFailuresPerIp: 100, windowMinutes: 15 } as const;

/** The error code next-auth carries back to the client (and the route answers 429 for). */
export const LOGIN_LIMITED_ERROR = "RateLimited";

export const LOGIN_LIMITED_MESSAGE = `Too many failed sign-in attempts. Try again in ${LOGIN_LIMIT.windowMinutes} minutes.`;

/** `ip` is null when the client's address cannot be known (see lib/auth/client-address.ts). */
export type LoginLimitKey = { email: string; ip: string | null };

export type LoginOutcome = "limited" | "succeeded" | "failed";

/**
 * Takes a failure slot under every key in one statement (db/queries/users.ts) before `check` runs,
 * so parallel guesses cannot all slip in under the limit: with 10 slots left, at most 10 passwords
 * are ever checked. A success gives its slots back; a refused attempt checks nothing.
 * Counted in Postgres, so the limit holds across web processes and restarts.
 */
export async function attemptLogin(key: LoginLimitKey, check: () => Promise<boolean>, now = new Date()): Promise<LoginOutcome> {
  const { email, ip } = normalizeKey(key);
  const limits: { key: string; max: number }[] = [{ key: `email:${email}`, max: LOGIN_LIMIT.maxFailures }];
  // With no known address only the account limit applies: one shared "unknown" bucket would let
  // anyone lock everybody out.
  if (ip) limits.push({ key: `ip:${ip}`, max: LOGIN_LIMIT.maxFailuresPerIp });
  const since = new Date(now.getTime() - LOGIN_LIMIT.windowMinutes * 60_000);
  const granted = await reserveLoginFailures(limits, now, since);
  if (granted.size < limits.length) {
    // Refused by one key: the slots the others gave are returned (one at a time, one row lock each).
    for (const k of granted) await releaseLoginFailure(k, now);
    return "limited";
  }
  // If check throws, the slots stay taken: an error counts as a failure, never as a free try.
  const succeeded = await check();
  if (succeeded) for (const limit of limits) await releaseLoginFailure(limit.key, now);
  await insertLoginAttempt({ email, ip: ip ?? "unknown", succeeded });
  return succeeded ? "succeeded" : "failed";
}

function normalizeKey(key: LoginLimitKey): LoginLimitKey {
  return { email: key.email.trim().toLowerCase().slice(0, 254), ip: key.ip ? key.ip.slice(0, 64) : null };
}
