import type { TransactionSql } from "postgres";
import type { z } from "zod";
import type { Db, SendOptions } from "pg-boss";
import { getDb, type DbOrTx } from "@/db";
import { getBoss } from "@/lib/queue/boss";
import { announceJob } from "@/lib/queue/wake";
import type { JobContract } from "@/lib/queue/contract";

export type SendInTransaction = <S extends z.ZodType>(
  job: JobContract<S>,
  payload: z.infer<S>,
  options?: SendOptions,
) => Promise<string | null>;

/**
 * The transaction's own connection: drizzle keeps it (postgres.js's TransactionSql) on the
 * transaction's session; it has no public accessor, hence the narrow cast.
 */
function transactionClient(tx: DbOrTx): TransactionSql {
  return (tx as unknown as { session: { client: TransactionSql } }).session.client;
}

/** pg-boss runs its INSERT through this adapter, on the transaction's connection. */
function bossAdapter(client: TransactionSql): Db {
  return {
    executeSql: async (text, values) => ({ rows: await client.unsafe(text, (values ?? []).map(asPgParameter) as never[]) }),
  };
}

/** pg-boss is written for node-postgres, which sends plain objects as JSON text; postgres.js does not. */
function asPgParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== "object" || value instanceof Date || Buffer.isBuffer(value) || Array.isArray(value)) {
    return value;
  }
  return JSON.stringify(value);
}

/**
 * One transaction for app rows and the jobs that act on them: a job is never enqueued for a row
 * that was rolled back, and a committed row never lacks its job.
 */
export async function withTransaction<T>(fn: (tx: DbOrTx, send: SendInTransaction) => Promise<T>): Promise<T> {
  const boss = await getBoss();
  return getDb().transaction(async (tx) => {
    const client = transactionClient(tx);
    const db = bossAdapter(client);
    const send: SendInTransaction = async (job, payload, options = {}) => {
      const id = await boss.send(job.name, job.schema.parse(payload) as object, { ...options, db });
      if (id) await announceJob(client, job.name); // delivered when the transaction commits
      return id;
    };
    return fn(tx, send);
  });
}
