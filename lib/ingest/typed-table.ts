import type { ReservedSql, Sql } from "postgres";
import type { ColumnType, DatasetColumn, TypedScratch } from "@/db/schema/datasets";
import { quoteIdent } from "@/lib/csv/headers";
import { stagingTable, tableColumns, warehouseTable } from "@/lib/ingest/staging-sql";
import { refinedValue } from "@/lib/ingest/refine-types";

export function effectiveType(column: DatasetColumn): ColumnType {
  return column.overrideType ?? column.inferredType;
}

/**
 * The cast for one text column; the load already proved every value fits. Inferred types only
 * ever accept values without surrounding spaces (see lib/csv/infer.ts), so those cast as they
 * are; a type the user chose may have let spaces through (castCheck), so those are trimmed
 * first. Skipping btrim where it cannot matter makes the typing step 15–30 % faster.
 */
function castExpression(column: DatasetColumn): string {
  const ident = quoteIdent(column.name);
  const value = castValue(column);
  return value === ident ? ident : `${value} as ${ident}`;
}

/** castExpression's value alone: the column itself where it stays text. */
function castValue(column: DatasetColumn): string {
  const ident = quoteIdent(column.name);
  const type = effectiveType(column);
  if (type === "text") return ident;
  const refined = refinedValue(column);
  if (refined) return refined;
  const value = column.overrideType ? `btrim(${ident})` : ident;
  return `${value}::${type}`;
}

/** The SELECT that turns the staging table into the typed one (shown to users as the typed model). */
export function typedSelectSql(datasetName: string, columns: readonly DatasetColumn[]): string {
  const list = ["_rb_line", ...columns.map(castExpression), "_rb_version", "_rb_loaded_at"].join(",\n  ");
  return `select\n  ${list}\nfrom ${stagingTable(datasetName)}`;
}

const MIB = 1024 * 1024;

/**
 * From this size on, a staging table is typed by two INSERT … SELECTs at once, each over half
 * of its pages. PostgreSQL 15 does not run CREATE TABLE AS in parallel; casting a million rows
 * keeps one core busy for seconds while the other idles. Below it, one statement is quicker
 * than the extra round trips.
 */
const PARALLEL_BUILD_BYTES = 32 * MIB;

/**
 * Rebuilds warehouse."<dataset>" from staging with the column types, into a new table that is
 * swapped in within one transaction: readers see the old table or the new one, never neither.
 * Returns how many statements filled it.
 */
export async function buildTypedTable(sql: Sql, datasetName: string, columns: readonly DatasetColumn[]): Promise<number> {
  return withDatasetLock(sql, datasetName, (holder) => buildLocked(holder, sql, datasetName, columns));
}

/**
 * One build per dataset at a time, and no load swapping a new staging table in meanwhile (the
 * key applyScratchTable takes too): the two halves of a build run in two transactions and must
 * see the same staging rows. A session lock, as the build spans transactions.
 */
async function withDatasetLock<T>(sql: Sql, datasetName: string, fn: (holder: ReservedSql) => Promise<T>): Promise<T> {
  const holder = await sql.reserve();
  const key = `staging.${datasetName}`;
  try {
    await holder`select pg_advisory_lock(hashtext(${key}))`;
    try {
      return await fn(holder);
    } finally {
      await holder`select pg_advisory_unlock(hashtext(${key}))`.catch(() => {});
    }
  } finally {
    holder.release();
  }
}

/**
 * Puts a load's typed twin (lib/ingest/load-fast.ts, openTypedLane) in place of
 * warehouse."<dataset>" instead of building the typed table from staging: the twin holds the
 * same rows, typed by COPY as they were loaded. It holds the right values only where its column
 * has the type the whole file settled on (same input function as the typing pass's cast), or is
 * text — the raw value, which is then cast here as the typing pass would (a refined form, a null
 * marker, a type the user chose). A column guessed as another type than the final one may hold a
 * value that type accepted but changed ("00501" as 501): then the twin is not used (false), and
 * the caller builds from staging.
 */
export async function installTypedScratch(
  sql: Sql,
  datasetName: string,
  columns: readonly DatasetColumn[],
  typed: TypedScratch,
): Promise<boolean> {
  if (typed.types.length !== columns.length) return false;
  const casts: string[] = [];
  for (const [i, column] of columns.entries()) {
    const ident = quoteIdent(column.name);
    const value = castValue(column);
    if (value === ident) {
      if (typed.types[i] !== "text") return false;
      continue;
    }
    const plain = `${ident}::${effectiveType(column)}`;
    if (typed.types[i] === effectiveType(column) && value === plain) continue;
    if (typed.types[i] !== "text") return false;
    casts.push(`alter column ${ident} type ${effectiveType(column)} using ${value}`);
  }
  const table = warehouseTable(typed.table);
  const names = await tableColumns(sql, "warehouse", typed.table);
  const expected = ["_rb_line", ...columns.map((c) => c.name), "_rb_version", "_rb_loaded_at"];
  if (names.join("\u0000") !== expected.join("\u0000")) return false;
  await withDatasetLock(sql, datasetName, (holder) =>
    inTransaction(holder, async () => {
      await holder.unsafe(`set local timezone = 'UTC'`);
      if (casts.length) await holder.unsafe(`alter table ${table} ${casts.join(", ")}`);
      await swapIn(holder, table, datasetName);
    }),
  );
  return true;
}

async function buildLocked(holder: ReservedSql, sql: Sql, datasetName: string, columns: readonly DatasetColumn[]): Promise<number> {
  const build = `warehouse.${quoteIdent(`_rb_typed_${datasetName}`.slice(0, 63))}`;
  const select = typedSelectSql(datasetName, columns);
  const { bytes, pages } = await stagingSize(holder, datasetName);
  if (bytes < PARALLEL_BUILD_BYTES) {
    await inTransaction(holder, async () => {
      // Casting timestamptz values without an offset reads them as UTC, as the inferrer assumed.
      await holder.unsafe(`set local timezone = 'UTC'`);
      await holder.unsafe(`drop table if exists ${build}`);
      await holder.unsafe(`create table ${build} as ${select}`);
      await swapIn(holder, build, datasetName);
    });
    return 1;
  }
  await holder.unsafe(`drop table if exists ${build}`);
  await holder.unsafe(`create table ${build} as ${select} with no data`);
  try {
    // Two halves by page (TID range scans): one on the lock holder's connection, one on another.
    const half = Math.floor(pages / 2);
    const fill = async (tx: Runner, range: string) => {
      await tx.unsafe(`set local timezone = 'UTC'`);
      await tx.unsafe(`insert into ${build} ${select} where ${range}`);
    };
    const parts = [
      inTransaction(holder, () => fill(holder, `ctid < '(${half},0)'::tid`)),
      sql.begin((tx) => fill(tx, `ctid >= '(${half},0)'::tid`)),
    ];
    const failed = (await Promise.allSettled(parts)).find((p): p is PromiseRejectedResult => p.status === "rejected");
    if (failed) throw failed.reason;
    await inTransaction(holder, () => swapIn(holder, build, datasetName));
    return parts.length;
  } catch (err) {
    await holder.unsafe(`drop table if exists ${build}`).catch(() => {});
    throw err;
  }
}

async function stagingSize(sql: Sql, datasetName: string): Promise<{ bytes: number; pages: number }> {
  const [row] = await sql`
    select size as bytes, size / current_setting('block_size')::bigint as pages
    from pg_relation_size(${stagingTable(datasetName)}::regclass) as size`;
  return { bytes: Number(row?.bytes ?? 0), pages: Number(row?.pages ?? 0) };
}

/** What the build's statements need from a connection or transaction. */
type Runner = Pick<Sql, "unsafe">;

/** postgres.js has no begin() on a reserved connection; plain BEGIN/COMMIT are allowed there. */
async function inTransaction<T>(conn: ReservedSql, fn: () => Promise<T>): Promise<T> {
  await conn.unsafe("begin");
  try {
    const result = await fn();
    await conn.unsafe("commit");
    return result;
  } catch (err) {
    await conn.unsafe("rollback").catch(() => {});
    throw err;
  }
}

async function swapIn(tx: Runner, build: string, datasetName: string): Promise<void> {
  // Views built on the typed table go with it; the caller rebuilds them (rebuildViewsDownstreamOf).
  await tx.unsafe(`drop table if exists ${warehouseTable(datasetName)} cascade`);
  await tx.unsafe(`alter table ${build} rename to ${quoteIdent(datasetName)}`);
}
