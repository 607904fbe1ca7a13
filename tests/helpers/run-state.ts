import { getSql } from "@/db";
import { getRunById } from "@/db/queries/pipelines";
import type { Run } from "@/db/schema/pipelines";
import type { SlackSink } from "@/lib/slack/sink";
import { waitFor } from "./processes";

/** What the database says once a run is over, read back for fault tests. */

export async function runEnded(runId: string, timeoutMs: number): Promise<Run> {
  return waitFor(
    async () => {
      // The database may be restarting under the test; a failed poll is just another poll.
      const run = await getRunById(runId).catch(() => null);
      return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? run : null;
    },
    timeoutMs,
    `run ${runId} to end`,
  );
}

/** Runs and steps still queued or running: after every run ended, there must be none. */
export async function unfinishedWork(): Promise<{ runs: number; steps: number }> {
  const [row] = await getSql()`
    select (select count(*)::int from relayboard.runs where status in ('queued', 'running')) as runs,
           (select count(*)::int from relayboard.run_steps where status in ('queued', 'running')) as steps`;
  return { runs: row!.runs as number, steps: row!.steps as number };
}

/** Rows of a loaded table, and how many distinct source lines (version, line) they came from. */
export async function rowCount(qualifiedTable: string): Promise<{ rows: number; distinctLines: number }> {
  const [row] = await getSql().unsafe(
    `select count(*)::int as rows, count(distinct (_rb_version, _rb_line))::int as "distinctLines" from ${qualifiedTable}`,
  );
  return { rows: row!.rows as number, distinctLines: row!.distinctLines as number };
}

/** Scratch tables of loads (staging._rb_load_…) that nobody cleaned up. */
export async function leftoverScratchTables(): Promise<string[]> {
  const rows = await getSql()`select tablename from pg_tables where schemaname = 'staging' and tablename like '\_rb\_load\_%'`;
  return rows.map((r) => r.tablename as string);
}

export function messagesFor(sink: SlackSink, runId: string): number {
  return sink.messages.filter((m) => JSON.stringify(m.body).includes(runId)).length;
}
