import type { Sql, TransactionSql } from "postgres";
import { getSql } from "@/db";
import { getEnv } from "@/lib/env";

export const SANDBOX_ROLE = "relayboard_sandbox";

/**
 * Runs user SQL in a transaction under the sandbox role (reads staging, reads/writes warehouse,
 * nothing else), with a statement timeout and a pinned search_path. `readOnly` additionally
 * makes the transaction read-only (previews, data tests).
 */
export async function inSandbox<T>(
  fn: (tx: TransactionSql) => Promise<T>,
  opts: { readOnly?: boolean; timeoutMs?: number; sql?: Sql } = {},
): Promise<T> {
  const sql = opts.sql ?? getSql();
  const timeoutMs = Math.max(1, Math.floor(opts.timeoutMs ?? getEnv().modelStatementTimeoutMs));
  return sql.begin(async (tx) => {
    if (opts.readOnly) await tx.unsafe("set transaction read only");
    await tx.unsafe(`set local role ${SANDBOX_ROLE}`);
    await tx.unsafe(`set local statement_timeout = ${timeoutMs}`);
    await tx.unsafe("set local search_path = pg_catalog, warehouse");
    // A worker killed mid-build leaves its query running; this makes Postgres notice within a second.
    await tx.unsafe("set local client_connection_check_interval = 1000");
    // Timestamps without a zone are read as UTC everywhere in Relayboard.
    await tx.unsafe("set local timezone = 'UTC'");
    return fn(tx);
  }) as Promise<T>;
}
