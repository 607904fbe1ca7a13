import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, max, or, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import {
  datasetLoads,
  datasets,
  datasetVersions,
  type Dataset,
  type DatasetLoad,
  type DatasetVersion,
  type DetectedDialect,
  type DatasetColumn,
  type FreshnessState,
  type SchemaChanges,
} from "@/db/schema/datasets";

export async function getDatasetByName(name: string, tx: DbOrTx = getDb()): Promise<Dataset | null> {
  const [row] = await tx.select().from(datasets).where(eq(datasets.name, name));
  return row ?? null;
}

export async function getDatasetById(id: string, tx: DbOrTx = getDb()): Promise<Dataset | null> {
  const [row] = await tx.select().from(datasets).where(eq(datasets.id, id));
  return row ?? null;
}

export async function listDatasets(tx: DbOrTx = getDb()): Promise<Dataset[]> {
  return tx.select().from(datasets).orderBy(asc(datasets.name));
}

export async function insertDataset(values: typeof datasets.$inferInsert, tx: DbOrTx = getDb()): Promise<Dataset | null> {
  const [row] = await tx.insert(datasets).values(values).onConflictDoNothing({ target: datasets.name }).returning();
  return row ?? null;
}

export async function updateDataset(
  id: string,
  values: Partial<typeof datasets.$inferInsert>,
  tx: DbOrTx = getDb(),
): Promise<Dataset | null> {
  const [row] = await tx
    .update(datasets)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(datasets.id, id))
    .returning();
  return row ?? null;
}

export async function deleteDataset(id: string, tx: DbOrTx = getDb()): Promise<void> {
  await tx.delete(datasets).where(eq(datasets.id, id));
}

export async function listDatasetVersions(datasetId: string, tx: DbOrTx = getDb()): Promise<DatasetVersion[]> {
  return tx.select().from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)).orderBy(desc(datasetVersions.version));
}

export async function getDatasetVersion(id: string, tx: DbOrTx = getDb()): Promise<DatasetVersion | null> {
  const [row] = await tx.select().from(datasetVersions).where(eq(datasetVersions.id, id));
  return row ?? null;
}

export async function getLatestDatasetVersion(datasetId: string, tx: DbOrTx = getDb()): Promise<DatasetVersion | null> {
  const [row] = await tx
    .select()
    .from(datasetVersions)
    .where(eq(datasetVersions.datasetId, datasetId))
    .orderBy(desc(datasetVersions.version))
    .limit(1);
  return row ?? null;
}

/** Numbers the new version under a row lock, so two loads of one dataset never share a number. */
export async function insertDatasetVersion(
  values: Omit<typeof datasetVersions.$inferInsert, "version">,
  tx: DbOrTx = getDb(),
): Promise<DatasetVersion> {
  await tx.execute(sql`select 1 from ${datasets} where ${datasets.id} = ${values.datasetId} for update`);
  const [current] = await tx
    .select({ n: max(datasetVersions.version) })
    .from(datasetVersions)
    .where(eq(datasetVersions.datasetId, values.datasetId));
  const [row] = await tx
    .insert(datasetVersions)
    .values({ ...values, version: (current?.n ?? 0) + 1 })
    .returning();
  return row!;
}

export async function updateDatasetVersionRows(
  id: string,
  rowCount: number,
  dialect?: DetectedDialect,
  tx: DbOrTx = getDb(),
): Promise<void> {
  await tx
    .update(datasetVersions)
    .set({ rowCount, ...(dialect ? { dialect } : {}) })
    .where(eq(datasetVersions.id, id));
}

/** The schema a version's load gave the dataset, and its changes against the version before (null for the first). */
export async function updateDatasetVersionSchema(
  id: string,
  columns: DatasetColumn[],
  schemaChanges: SchemaChanges | null,
  tx: DbOrTx = getDb(),
): Promise<void> {
  await tx.update(datasetVersions).set({ columns, schemaChanges }).where(eq(datasetVersions.id, id));
}

export async function insertDatasetLoad(values: typeof datasetLoads.$inferInsert, tx: DbOrTx = getDb()): Promise<DatasetLoad> {
  const [row] = await tx.insert(datasetLoads).values(values).returning();
  return row!;
}

export async function getDatasetLoad(id: string, tx: DbOrTx = getDb()): Promise<DatasetLoad | null> {
  const [row] = await tx.select().from(datasetLoads).where(eq(datasetLoads.id, id));
  return row ?? null;
}

export async function updateDatasetLoad(
  id: string,
  values: Partial<typeof datasetLoads.$inferInsert>,
  tx: DbOrTx = getDb(),
): Promise<void> {
  await tx.update(datasetLoads).set(values).where(eq(datasetLoads.id, id));
}

export async function listDatasetLoads(datasetId: string, limit = 20, tx: DbOrTx = getDb()): Promise<DatasetLoad[]> {
  return tx.select().from(datasetLoads).where(eq(datasetLoads.datasetId, datasetId)).orderBy(desc(datasetLoads.createdAt)).limit(limit);
}

export async function getActiveDatasetLoad(datasetId: string, tx: DbOrTx = getDb()): Promise<DatasetLoad | null> {
  const [row] = await tx
    .select()
    .from(datasetLoads)
    .where(and(eq(datasetLoads.datasetId, datasetId), inArray(datasetLoads.status, ["queued", "running"])))
    .orderBy(desc(datasetLoads.createdAt))
    .limit(1);
  return row ?? null;
}

/** The newest load of each dataset, for the list page. */
export async function listLatestLoads(tx: DbOrTx = getDb()): Promise<DatasetLoad[]> {
  return tx.selectDistinctOn([datasetLoads.datasetId]).from(datasetLoads).orderBy(datasetLoads.datasetId, desc(datasetLoads.createdAt));
}

/** Serialises load requests for one dataset until the transaction ends. */
export async function lockDataset(id: string, tx: DbOrTx): Promise<void> {
  await tx.execute(sql`select 1 from ${datasets} where ${datasets.id} = ${id} for update`);
}

/**
 * Datasets with freshness thresholds and when their content last changed; with `checkedBefore`,
 * only those not judged since then (the worker asks every few seconds, each dataset is due once
 * a minute: the filter belongs in the query, not in a loop over every dataset).
 */
export async function listDatasetsWithFreshness(
  opts: { checkedBefore?: Date } = {},
  tx: DbOrTx = getDb(),
): Promise<{ dataset: Dataset; changedAt: Date | null }[]> {
  const due = opts.checkedBefore ? or(isNull(datasets.freshnessCheckedAt), lt(datasets.freshnessCheckedAt, opts.checkedBefore)) : undefined;
  return tx
    .select({ dataset: datasets, changedAt: datasetVersions.createdAt })
    .from(datasets)
    .leftJoin(datasetVersions, eq(datasetVersions.id, datasets.currentVersionId))
    .where(and(isNotNull(datasets.freshness), due));
}

/**
 * Moves a dataset's recorded freshness state from `from` to `to`; false when another checker
 * moved it first (so each change is announced once).
 */
export async function moveFreshnessState(
  id: string,
  from: FreshnessState | null,
  to: FreshnessState | null,
  checkedAt: Date,
  tx: DbOrTx = getDb(),
): Promise<boolean> {
  const rows = await tx
    .update(datasets)
    .set({ freshnessState: to, freshnessCheckedAt: checkedAt })
    .where(and(eq(datasets.id, id), from === null ? isNull(datasets.freshnessState) : eq(datasets.freshnessState, from)))
    .returning({ id: datasets.id });
  return rows.length > 0;
}

/** The latest dataset version whose schema change removed this column (for a model that still reads it). */
export async function findVersionThatRemoved(
  column: string,
  tx: DbOrTx = getDb(),
): Promise<{ dataset: string; version: number; renamedTo: string | null } | null> {
  const [row] = await tx
    .select({ dataset: datasets.name, version: datasetVersions.version, changes: datasetVersions.schemaChanges })
    .from(datasetVersions)
    .innerJoin(datasets, eq(datasets.id, datasetVersions.datasetId))
    .where(sql`${datasetVersions.schemaChanges} -> 'removed' @> ${JSON.stringify([{ name: column }])}::jsonb`)
    .orderBy(desc(datasetVersions.createdAt))
    .limit(1);
  if (!row) return null;
  return { dataset: row.dataset, version: row.version, renamedTo: row.changes?.renamed.find((r) => r.from === column)?.to ?? null };
}

/** Columns the current version of each of these datasets retyped against the version before. */
export async function findLatestRetyped(
  datasetNames: string[],
  tx: DbOrTx = getDb(),
): Promise<{ dataset: string; version: number; column: string; from: string; to: string }[]> {
  if (datasetNames.length === 0) return [];
  const rows = await tx
    .select({ dataset: datasets.name, version: datasetVersions.version, changes: datasetVersions.schemaChanges })
    .from(datasets)
    .innerJoin(datasetVersions, eq(datasetVersions.id, datasets.currentVersionId))
    .where(inArray(datasets.name, datasetNames));
  return rows.flatMap((r) =>
    (r.changes?.retyped ?? []).map((c) => ({ dataset: r.dataset, version: r.version, column: c.name, from: c.from, to: c.to })),
  );
}
