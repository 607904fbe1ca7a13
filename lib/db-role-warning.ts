import { getSql } from "@/db";
import { describeConnectionRole, type ConnectionRole } from "@/db/roles";

/**
 * Relayboard should log in as a role that is not a superuser: a superuser ignores every grant,
 * so a hole anywhere else becomes the whole server. Said loudly at start and on the dashboard.
 */
export function superuserWarning(role: Pick<ConnectionRole, "name" | "superuser">): string | null {
  if (!role.superuser) return null;
  return (
    `DATABASE_URL logs in as ${role.name}, a superuser. Relayboard works, but give it a role of its own that is not a superuser ` +
    "(docs/security.md lists the grants it needs) and keep the superuser for ADMIN_DATABASE_URL."
  );
}

let cached: { at: number; warning: string | null } | undefined;

/** For the dashboard's service status; checked at most once a minute. */
export async function databaseRoleWarning(): Promise<string | null> {
  if (cached && Date.now() - cached.at < 60_000) return cached.warning;
  const warning = superuserWarning(await describeConnectionRole(getSql()));
  cached = { at: Date.now(), warning };
  return warning;
}
