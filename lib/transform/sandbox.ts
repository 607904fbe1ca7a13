import postgres, { type TransactionSql } from "postgres";
import { resolveDatabaseUrl } from "@/db/connection-url";
import { deriveSandboxPassword, SANDBOX_ROLE } from "@/db/roles";
import { getEnv } from "@/lib/env";

export { SANDBOX_ROLE };

/**
 * The sandbox's own login: SANDBOX_DATABASE_URL when set, otherwise the app's server and database
 * with the sandbox role and its derived password (provisioned at start, see db/roles.ts).
 */
export function sandboxDatabaseUrl(): string {
  const env = getEnv();
  if (env.sandboxDatabaseUrl) return env.sandboxDatabaseUrl;
  return sandboxUrlFor(resolveDatabaseUrl(), env.authSecret);
}

/** The password provisioning sets on the sandbox role: the one its login URL carries. */
export function sandboxPassword(): string {
  return decodeURIComponent(new URL(sandboxDatabaseUrl()).password);
}

/** The sandbox URL beside an app URL; its password is derived from the app's (or AUTH_SECRET without one). */
export function sandboxUrlFor(appUrl: string, authSecret: string): string {
  const url = new URL(appUrl);
  const secret = url.password ? decodeURIComponent(url.password) : authSecret;
  url.username = SANDBOX_ROLE;
  url.password = encodeURIComponent(deriveSandboxPassword(secret));
  return url.toString();
}

// Beyond the statement timeout: if the server somehow keeps going, the connection is cut.
const HARD_STOP_GRACE_MS = 5_000;

/**
 * Runs user SQL in one transaction on a connection of its own that logs in as the sandbox role
 * (reads staging, reads/writes warehouse, nothing else), with a statement timeout and a pinned
 * search_path. `readOnly` also makes the transaction read-only (previews, data tests).
 *
 * The connection is closed afterwards, so no session state (temporary tables, prepared
 * statements, settings, session locks) outlives one use. The wall is the login role; the
 * parser check in validate-sql.ts only gives friendlier errors.
 */
export async function inSandbox<T>(
  fn: (tx: TransactionSql) => Promise<T>,
  opts: { readOnly?: boolean; timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = Math.max(1, Math.floor(opts.timeoutMs ?? getEnv().modelStatementTimeoutMs));
  const sql = postgres(sandboxDatabaseUrl(), {
    max: 1,
    // Nothing prepared survives on the server; every statement is parsed afresh (extended protocol).
    prepare: false,
    connect_timeout: 10,
    idle_timeout: 0,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: "relayboard-sandbox" },
  });
  const hardStop = setTimeout(() => void sql.end({ timeout: 0 }), timeoutMs + HARD_STOP_GRACE_MS);
  try {
    return (await sql.begin(async (tx) => {
      if (opts.readOnly) await tx.unsafe("set transaction read only");
      // Set here, not only on the role: the role may set its own defaults (ALTER ROLE … SET).
      await tx.unsafe(`set local statement_timeout = ${timeoutMs}`);
      await tx.unsafe("set local lock_timeout = '10s'");
      await tx.unsafe("set local idle_in_transaction_session_timeout = '60s'");
      await tx.unsafe("set local search_path = pg_catalog, warehouse");
      // A worker killed mid-build leaves its query running; this makes Postgres notice within a second.
      await tx.unsafe("set local client_connection_check_interval = 1000");
      // Timestamps without a zone are read as UTC everywhere in Relayboard.
      await tx.unsafe("set local timezone = 'UTC'");
      return fn(tx);
    })) as T;
  } finally {
    clearTimeout(hardStop);
    await sql.end({ timeout: 5 });
  }
}

/**
 * User SQL goes through the extended protocol (one statement per message), never the simple
 * protocol that postgres.js uses for a parameterless unsafe(): `a; b` is refused by the server.
 */
export function runUserSql(tx: TransactionSql, text: string, params: unknown[] = []) {
  // `simple` is postgres.js's own option, missing from its type declarations.
  return tx.unsafe(text, params as never[], { prepare: false, simple: false } as { prepare: boolean });
}
