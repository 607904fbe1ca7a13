import type { Sql, TransactionSql } from "postgres";

/**
 * pg-boss finds new jobs by polling (every 0.5 s here), so a job enqueued by the web process
 * waited up to half a second for a worker. A NOTIFY on this channel after each send wakes the
 * workers at once; the poll stays as the fallback for a missed notification (a worker that was
 * reconnecting, say).
 */
const CHANNEL = "relayboard_jobs";

/** Tells the workers that a job for `queue` is waiting. Inside a transaction it goes out at commit. */
export async function announceJob(sql: Sql | TransactionSql, queue: string): Promise<void> {
  await sql`select pg_notify(${CHANNEL}, ${queue})`;
}

/** Calls `wake(queue)` whenever a job is announced; resolves once listening. */
export async function listenForJobs(sql: Sql, wake: (queue: string) => void): Promise<void> {
  await sql.listen(CHANNEL, (queue) => wake(queue));
}
