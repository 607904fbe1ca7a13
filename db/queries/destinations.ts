import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import {
  deliveries,
  deliveryAttempts,
  destinations,
  type Delivery,
  type DeliveryAttempt,
  type Destination,
} from "@/db/schema/destinations";

export async function listDestinations(tx: DbOrTx = getDb()): Promise<Destination[]> {
  return tx.select().from(destinations).orderBy(desc(destinations.isDefault), asc(destinations.name));
}

export async function getDestinationById(id: string, tx: DbOrTx = getDb()): Promise<Destination | null> {
  const [row] = await tx.select().from(destinations).where(eq(destinations.id, id));
  return row ?? null;
}

export async function getDefaultDestination(tx: DbOrTx = getDb()): Promise<Destination | null> {
  const [row] = await tx.select().from(destinations).where(eq(destinations.isDefault, true));
  return row ?? null;
}

export async function insertDestination(values: typeof destinations.$inferInsert, tx: DbOrTx = getDb()): Promise<Destination | null> {
  const [row] = await tx.insert(destinations).values(values).onConflictDoNothing({ target: destinations.name }).returning();
  return row ?? null;
}

export async function updateDestination(
  id: string,
  values: Partial<typeof destinations.$inferInsert>,
  tx: DbOrTx = getDb(),
): Promise<Destination | null> {
  const [row] = await tx
    .update(destinations)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(destinations.id, id))
    .returning();
  return row ?? null;
}

export async function clearDefaultDestination(tx: DbOrTx = getDb()): Promise<void> {
  await tx.update(destinations).set({ isDefault: false }).where(eq(destinations.isDefault, true));
}

export async function deleteDestination(id: string, tx: DbOrTx = getDb()): Promise<void> {
  await tx.delete(destinations).where(eq(destinations.id, id));
}

export async function getDelivery(deliveryKey: string, destinationId: string, tx: DbOrTx = getDb()): Promise<Delivery | null> {
  const [row] = await tx
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.deliveryKey, deliveryKey), eq(deliveries.destinationId, destinationId)));
  return row ?? null;
}

export async function insertDeliveryIfAbsent(values: typeof deliveries.$inferInsert, tx: DbOrTx = getDb()): Promise<Delivery> {
  await tx
    .insert(deliveries)
    .values(values)
    .onConflictDoNothing({ target: [deliveries.deliveryKey, deliveries.destinationId] });
  return (await getDelivery(values.deliveryKey, values.destinationId, tx))!;
}

export async function updateDelivery(id: string, values: Partial<typeof deliveries.$inferInsert>, tx: DbOrTx = getDb()): Promise<void> {
  await tx.update(deliveries).set(values).where(eq(deliveries.id, id));
}

/** The newest delivery Slack accepted for a configured delivery and destination ("only when changed"). */
export async function getLastSentDelivery(sourceKey: string, destinationId: string, tx: DbOrTx = getDb()): Promise<Delivery | null> {
  const [row] = await tx
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.sourceKey, sourceKey), eq(deliveries.destinationId, destinationId), eq(deliveries.status, "sent")))
    .orderBy(desc(deliveries.sentAt))
    .limit(1);
  return row ?? null;
}

export async function insertDeliveryAttempt(values: typeof deliveryAttempts.$inferInsert, tx: DbOrTx = getDb()): Promise<void> {
  await tx.insert(deliveryAttempts).values(values);
}

export async function listDeliveryAttempts(deliveryId: string, tx: DbOrTx = getDb()): Promise<DeliveryAttempt[]> {
  return tx.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, deliveryId)).orderBy(asc(deliveryAttempts.attempt));
}

export async function listDeliveriesForDestination(destinationId: string, limit = 20, tx: DbOrTx = getDb()): Promise<Delivery[]> {
  return tx.select().from(deliveries).where(eq(deliveries.destinationId, destinationId)).orderBy(desc(deliveries.createdAt)).limit(limit);
}

export async function listDeliveriesForRun(runId: string, tx: DbOrTx = getDb()): Promise<Delivery[]> {
  return tx.select().from(deliveries).where(eq(deliveries.runId, runId)).orderBy(asc(deliveries.createdAt));
}

/** How many of these delivery keys Slack accepted (on any destination). */
export async function countSentDeliveries(deliveryKeys: string[], tx: DbOrTx = getDb()): Promise<number> {
  if (deliveryKeys.length === 0) return 0;
  const [row] = await tx
    .select({ n: sql<number>`count(distinct ${deliveries.deliveryKey})::int` })
    .from(deliveries)
    .where(and(inArray(deliveries.deliveryKey, deliveryKeys), eq(deliveries.status, "sent")));
  return row?.n ?? 0;
}
