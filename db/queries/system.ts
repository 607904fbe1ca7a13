import { and, count, desc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import { queueProbes, workers } from "@/db/schema/system";

export const WORKER_ONLINE_SECONDS = 30;

export async function upsertWorkerHeartbeat(worker: { id: string; hostname: string; pid: number }, tx: DbOrTx = getDb()): Promise<void> {
  await tx
    .insert(workers)
    .values(worker)
    .onConflictDoUpdate({ target: workers.id, set: { lastSeenAt: sql`now()`, stoppedAt: null } });
}

export async function updateWorkerStopped(id: string, tx: DbOrTx = getDb()): Promise<void> {
  await tx
    .update(workers)
    .set({ stoppedAt: sql`now()` })
    .where(eq(workers.id, id));
}

export async function countOnlineWorkers(tx: DbOrTx = getDb()): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(workers)
    .where(and(isNull(workers.stoppedAt), gt(workers.lastSeenAt, sql`now() - make_interval(secs => ${WORKER_ONLINE_SECONDS})`)));
  return row?.n ?? 0;
}

export async function insertQueueProbe(tx: DbOrTx = getDb()): Promise<string> {
  const [row] = await tx.insert(queueProbes).values({}).returning({ id: queueProbes.id });
  return row!.id;
}

export async function updateQueueProbeProcessed(id: string, workerId: string, tx: DbOrTx = getDb()): Promise<void> {
  await tx
    .update(queueProbes)
    .set({ processedAt: sql`now()`, workerId })
    .where(and(eq(queueProbes.id, id), isNull(queueProbes.processedAt)));
}

export async function getLatestProcessedProbe(
  tx: DbOrTx = getDb(),
): Promise<{ sentAt: Date; processedAt: Date; workerId: string | null } | null> {
  const [row] = await tx
    .select({ sentAt: queueProbes.sentAt, processedAt: queueProbes.processedAt, workerId: queueProbes.workerId })
    .from(queueProbes)
    .where(isNotNull(queueProbes.processedAt))
    .orderBy(desc(queueProbes.processedAt))
    .limit(1);
  return row ? { ...row, processedAt: row.processedAt! } : null;
}

export async function deleteOldQueueProbes(tx: DbOrTx = getDb()): Promise<void> {
  await tx.delete(queueProbes).where(sql`${queueProbes.sentAt} < now() - interval '1 day'`);
}
