import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import { modelBuilds, modelRevisions, models, type Model, type ModelBuild, type ModelRevision } from "@/db/schema/models";

export async function listModels(tx: DbOrTx = getDb()): Promise<Model[]> {
  return tx.select().from(models).orderBy(asc(models.name));
}

export async function getModelByName(name: string, tx: DbOrTx = getDb()): Promise<Model | null> {
  const [row] = await tx.select().from(models).where(eq(models.name, name));
  return row ?? null;
}

export async function insertModel(values: typeof models.$inferInsert, tx: DbOrTx = getDb()): Promise<Model | null> {
  const [row] = await tx.insert(models).values(values).onConflictDoNothing({ target: models.name }).returning();
  return row ?? null;
}

export async function updateModel(id: string, values: Partial<typeof models.$inferInsert>, tx: DbOrTx = getDb()): Promise<Model> {
  const [row] = await tx
    .update(models)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(models.id, id))
    .returning();
  return row!;
}

export async function deleteModel(id: string, tx: DbOrTx = getDb()): Promise<void> {
  await tx.delete(models).where(eq(models.id, id));
}

export async function insertModelRevision(values: typeof modelRevisions.$inferInsert, tx: DbOrTx = getDb()): Promise<void> {
  await tx.insert(modelRevisions).values(values);
}

export async function listModelRevisions(modelId: string, tx: DbOrTx = getDb()): Promise<ModelRevision[]> {
  return tx.select().from(modelRevisions).where(eq(modelRevisions.modelId, modelId)).orderBy(desc(modelRevisions.revision));
}

export async function getModelRevision(modelId: string, revision: number, tx: DbOrTx = getDb()): Promise<ModelRevision | null> {
  const [row] = await tx
    .select()
    .from(modelRevisions)
    .where(and(eq(modelRevisions.modelId, modelId), eq(modelRevisions.revision, revision)));
  return row ?? null;
}

export async function insertModelBuilds(values: (typeof modelBuilds.$inferInsert)[], tx: DbOrTx = getDb()): Promise<ModelBuild[]> {
  if (values.length === 0) return [];
  return tx.insert(modelBuilds).values(values).returning();
}

export async function updateModelBuild(id: string, values: Partial<typeof modelBuilds.$inferInsert>, tx: DbOrTx = getDb()): Promise<void> {
  await tx.update(modelBuilds).set(values).where(eq(modelBuilds.id, id));
}

export async function listBatchBuilds(batchId: string, tx: DbOrTx = getDb()): Promise<ModelBuild[]> {
  return tx.select().from(modelBuilds).where(eq(modelBuilds.batchId, batchId)).orderBy(asc(modelBuilds.createdAt));
}

/** The newest build of each named model. */
export async function listLatestBuilds(names?: string[], tx: DbOrTx = getDb()): Promise<ModelBuild[]> {
  const query = tx
    .selectDistinctOn([modelBuilds.modelName])
    .from(modelBuilds)
    .where(names ? inArray(modelBuilds.modelName, names.length ? names : [""]) : sql`true`)
    .orderBy(modelBuilds.modelName, desc(modelBuilds.createdAt));
  return query;
}

export async function listModelBuilds(modelName: string, limit = 20, tx: DbOrTx = getDb()): Promise<ModelBuild[]> {
  return tx.select().from(modelBuilds).where(eq(modelBuilds.modelName, modelName)).orderBy(desc(modelBuilds.createdAt)).limit(limit);
}
