import { and, asc, desc, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import {
  deliveryDigests,
  deliveryEvaluations,
  pipelines,
  runs,
  runSteps,
  type DeliveryDigest,
  type DeliveryEvaluation,
  type Pipeline,
  type Run,
  type RunStep,
  type StepLogLine,
} from "@/db/schema/pipelines";

export async function listPipelines(tx: DbOrTx = getDb()): Promise<Pipeline[]> {
  return tx.select().from(pipelines).orderBy(asc(pipelines.name));
}

export async function getPipelineById(id: string, tx: DbOrTx = getDb()): Promise<Pipeline | null> {
  const [row] = await tx.select().from(pipelines).where(eq(pipelines.id, id));
  return row ?? null;
}

export async function getPipelineByName(name: string, tx: DbOrTx = getDb()): Promise<Pipeline | null> {
  const [row] = await tx.select().from(pipelines).where(eq(pipelines.name, name));
  return row ?? null;
}

export async function getDefaultPipelineForDataset(datasetId: string, tx: DbOrTx = getDb()): Promise<Pipeline | null> {
  const [row] = await tx
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.datasetId, datasetId), eq(pipelines.isDefault, true)));
  return row ?? null;
}

export async function insertPipeline(values: typeof pipelines.$inferInsert, tx: DbOrTx = getDb()): Promise<Pipeline | null> {
  const [row] = await tx.insert(pipelines).values(values).onConflictDoNothing({ target: pipelines.name }).returning();
  return row ?? null;
}

export async function updatePipeline(
  id: string,
  values: Partial<typeof pipelines.$inferInsert>,
  tx: DbOrTx = getDb(),
): Promise<Pipeline | null> {
  const [row] = await tx
    .update(pipelines)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(pipelines.id, id))
    .returning();
  return row ?? null;
}

export async function deletePipeline(id: string, tx: DbOrTx = getDb()): Promise<void> {
  await tx.delete(pipelines).where(eq(pipelines.id, id));
}

/** Due schedules, locked so that concurrent schedulers never fire one twice. */
export async function lockDuePipelines(now: Date, tx: DbOrTx): Promise<Pipeline[]> {
  return tx
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.paused, false), lt(pipelines.nextRunAt, now)))
    .for("update", { skipLocked: true });
}

export async function insertRun(values: typeof runs.$inferInsert, tx: DbOrTx = getDb()): Promise<Run> {
  const [row] = await tx.insert(runs).values(values).returning();
  return row!;
}

export async function getRunById(id: string, tx: DbOrTx = getDb()): Promise<Run | null> {
  const [row] = await tx.select().from(runs).where(eq(runs.id, id));
  return row ?? null;
}

export async function lockRun(id: string, tx: DbOrTx): Promise<Run | null> {
  const [row] = await tx.select().from(runs).where(eq(runs.id, id)).for("update");
  return row ?? null;
}

export async function updateRun(id: string, values: Partial<typeof runs.$inferInsert>, tx: DbOrTx = getDb()): Promise<void> {
  await tx.update(runs).set(values).where(eq(runs.id, id));
}

export async function getActiveRuns(pipelineId: string, tx: DbOrTx = getDb()): Promise<Run[]> {
  return tx
    .select()
    .from(runs)
    .where(and(eq(runs.pipelineId, pipelineId), inArray(runs.status, ["queued", "running"])))
    .orderBy(asc(runs.createdAt));
}

/** How many runs a pipeline has kept (all of them go when it is deleted). */
export async function countRuns(pipelineId: string, tx: DbOrTx = getDb()): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(runs)
    .where(eq(runs.pipelineId, pipelineId));
  return row?.n ?? 0;
}

/** `beforeId`: keyset pagination after that run (compared on the stored microsecond timestamp). */
export type RunFilter = {
  pipelineId?: string;
  /** Runs of any of this dataset's pipelines (the dataset page's recent runs). */
  datasetId?: string;
  status?: Run["status"];
  outcome?: NonNullable<Run["outcome"]>;
  trigger?: Run["trigger"];
  since?: Date;
  beforeId?: string;
};

export async function listRuns(filter: RunFilter, limit: number, tx: DbOrTx = getDb()): Promise<Run[]> {
  const conditions: SQL[] = [];
  if (filter.pipelineId) conditions.push(eq(runs.pipelineId, filter.pipelineId));
  if (filter.datasetId) {
    conditions.push(
      inArray(runs.pipelineId, tx.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.datasetId, filter.datasetId))),
    );
  }
  if (filter.status) conditions.push(eq(runs.status, filter.status));
  if (filter.outcome) conditions.push(eq(runs.outcome, filter.outcome));
  if (filter.trigger) conditions.push(eq(runs.trigger, filter.trigger));
  // Raw fragments get no column type, so dates travel as ISO text with an explicit cast.
  if (filter.since) conditions.push(sql`${runs.createdAt} >= ${filter.since.toISOString()}::timestamptz`);
  if (filter.beforeId) {
    conditions.push(
      sql`(${runs.createdAt}, ${runs.id}) < (select r.created_at, r.id from relayboard.runs r where r.id = ${filter.beforeId}::uuid)`,
    );
  }
  return tx
    .select()
    .from(runs)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(limit);
}

export async function insertRunSteps(values: (typeof runSteps.$inferInsert)[], tx: DbOrTx = getDb()): Promise<void> {
  await tx.insert(runSteps).values(values).onConflictDoNothing();
}

export async function listRunSteps(runId: string, tx: DbOrTx = getDb()): Promise<RunStep[]> {
  return tx.select().from(runSteps).where(eq(runSteps.runId, runId)).orderBy(asc(runSteps.position));
}

export async function listStepsForRuns(runIds: string[], tx: DbOrTx = getDb()): Promise<RunStep[]> {
  if (runIds.length === 0) return [];
  return tx.select().from(runSteps).where(inArray(runSteps.runId, runIds)).orderBy(asc(runSteps.position));
}

export async function getRunStep(runId: string, name: RunStep["name"], tx: DbOrTx = getDb()): Promise<RunStep | null> {
  const [row] = await tx
    .select()
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), eq(runSteps.name, name)));
  return row ?? null;
}

export async function updateRunStep(id: string, values: Partial<typeof runSteps.$inferInsert>, tx: DbOrTx = getDb()): Promise<void> {
  await tx.update(runSteps).set(values).where(eq(runSteps.id, id));
}

export async function appendStepLog(id: string, line: StepLogLine, tx: DbOrTx = getDb()): Promise<void> {
  await tx
    .update(runSteps)
    .set({ log: sql`${runSteps.log} || ${JSON.stringify([line])}::jsonb` })
    .where(eq(runSteps.id, id));
}

/**
 * Records a run's verdict on one delivery's condition, once: a deliver step that runs again (a
 * worker died) gets the first verdict back, so it decides the same way.
 */
export async function recordDeliveryEvaluation(
  values: Pick<DeliveryEvaluation, "pipelineId" | "deliveryIndex" | "runId" | "conditionKey" | "holds" | "told" | "value" | "reason">,
  tx: DbOrTx = getDb(),
): Promise<DeliveryEvaluation> {
  await tx.insert(deliveryEvaluations).values(values).onConflictDoNothing();
  const [row] = await tx
    .select()
    .from(deliveryEvaluations)
    .where(and(eq(deliveryEvaluations.runId, values.runId), eq(deliveryEvaluations.deliveryIndex, values.deliveryIndex)));
  return row!;
}

/**
 * The latest verdict on the same condition of the same delivery from an earlier run: with
 * `succeededOnly`, from a run that succeeded (a percent change compares with that run's value);
 * without, from any run that got as far as judging it (what the team was last told).
 */
export async function getPreviousDeliveryEvaluation(
  key: { pipelineId: string; deliveryIndex: number; conditionKey: string; runId: string },
  opts: { succeededOnly: boolean },
  tx: DbOrTx = getDb(),
): Promise<DeliveryEvaluation | null> {
  const [row] = await tx
    .select({ evaluation: deliveryEvaluations })
    .from(deliveryEvaluations)
    .innerJoin(runs, eq(runs.id, deliveryEvaluations.runId))
    .where(
      and(
        eq(deliveryEvaluations.pipelineId, key.pipelineId),
        eq(deliveryEvaluations.deliveryIndex, key.deliveryIndex),
        eq(deliveryEvaluations.conditionKey, key.conditionKey),
        sql`${deliveryEvaluations.runId} <> ${key.runId}`,
        opts.succeededOnly ? eq(runs.status, "succeeded") : undefined,
      ),
    )
    .orderBy(desc(deliveryEvaluations.createdAt))
    .limit(1);
  return row?.evaluation ?? null;
}

export async function getDeliveryDigest(runId: string, deliveryIndex: number, tx: DbOrTx = getDb()): Promise<DeliveryDigest | null> {
  const [row] = await tx
    .select()
    .from(deliveryDigests)
    .where(and(eq(deliveryDigests.runId, runId), eq(deliveryDigests.deliveryIndex, deliveryIndex)));
  return row ?? null;
}

/** Records a run's digest once: a second attempt of the same deliver step gets the first one's. */
export async function recordDeliveryDigest(
  values: Pick<DeliveryDigest, "pipelineId" | "deliveryIndex" | "runId" | "digestKey" | "baseline" | "counts" | "payloads">,
  tx: DbOrTx = getDb(),
): Promise<DeliveryDigest> {
  await tx.insert(deliveryDigests).values(values).onConflictDoNothing();
  return (await getDeliveryDigest(values.runId, values.deliveryIndex, tx))!;
}

export async function finishDeliveryDigest(id: string, status: "delivered" | "abandoned", tx: DbOrTx = getDb()): Promise<void> {
  await tx.update(deliveryDigests).set({ status, finishedAt: new Date() }).where(eq(deliveryDigests.id, id));
}

/** Digests of a delivery by earlier runs still `prepared` (their run ended before the snapshot moved on). */
export async function listUnfinishedDeliveryDigests(
  key: { pipelineId: string; deliveryIndex: number; runId: string },
  tx: DbOrTx = getDb(),
): Promise<DeliveryDigest[]> {
  return tx
    .select()
    .from(deliveryDigests)
    .where(
      and(
        eq(deliveryDigests.pipelineId, key.pipelineId),
        eq(deliveryDigests.deliveryIndex, key.deliveryIndex),
        eq(deliveryDigests.status, "prepared"),
        sql`${deliveryDigests.runId} <> ${key.runId}`,
      ),
    )
    .orderBy(asc(deliveryDigests.createdAt));
}

/** The digest whose result the delivery's snapshot holds now. */
export async function getLastDeliveredDigest(
  pipelineId: string,
  deliveryIndex: number,
  tx: DbOrTx = getDb(),
): Promise<DeliveryDigest | null> {
  const [row] = await tx
    .select()
    .from(deliveryDigests)
    .where(
      and(
        eq(deliveryDigests.pipelineId, pipelineId),
        eq(deliveryDigests.deliveryIndex, deliveryIndex),
        eq(deliveryDigests.status, "delivered"),
      ),
    )
    .orderBy(desc(deliveryDigests.finishedAt))
    .limit(1);
  return row ?? null;
}
