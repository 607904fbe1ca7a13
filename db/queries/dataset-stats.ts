import { and, eq, ne } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import { datasetColumnStats, type DatasetColumnStats } from "@/db/schema/dataset-stats";

export async function getColumnStats(versionId: string, fingerprint: string, tx: DbOrTx = getDb()): Promise<DatasetColumnStats | null> {
  const [row] = await tx
    .select()
    .from(datasetColumnStats)
    .where(and(eq(datasetColumnStats.versionId, versionId), eq(datasetColumnStats.fingerprint, fingerprint)));
  return row ?? null;
}

/** Stores a version's profile, replacing older ones of the same version; two first requests at once keep one. */
export async function insertColumnStats(values: typeof datasetColumnStats.$inferInsert, tx: DbOrTx = getDb()): Promise<void> {
  await tx.transaction(async (t) => {
    await t
      .delete(datasetColumnStats)
      .where(and(eq(datasetColumnStats.versionId, values.versionId), ne(datasetColumnStats.fingerprint, values.fingerprint)));
    await t.insert(datasetColumnStats).values(values).onConflictDoNothing();
  });
}

export async function listColumnStatsOfVersion(versionId: string, tx: DbOrTx = getDb()): Promise<DatasetColumnStats[]> {
  return tx.select().from(datasetColumnStats).where(eq(datasetColumnStats.versionId, versionId));
}
