import { and, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "@/db";
import { auditEvents, type AuditEvent } from "@/db/schema/audit";

export async function insertAuditEvent(values: typeof auditEvents.$inferInsert, tx: DbOrTx = getDb()): Promise<void> {
  await tx.insert(auditEvents).values(values);
}

export type AuditFilter = { action?: string; actorEmail?: string; since?: Date; beforeId?: number };

export async function listAuditEvents(filter: AuditFilter, limit: number, tx: DbOrTx = getDb()): Promise<AuditEvent[]> {
  const conditions: SQL[] = [];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.actorEmail) conditions.push(eq(auditEvents.actorEmail, filter.actorEmail.toLowerCase()));
  if (filter.since) conditions.push(gte(auditEvents.at, filter.since));
  if (filter.beforeId) conditions.push(lt(auditEvents.id, filter.beforeId));
  return tx
    .select()
    .from(auditEvents)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}
