import { createHash } from "node:crypto";
import { getSql } from "@/db";
import { getColumnStats, insertColumnStats } from "@/db/queries/dataset-stats";
import type { Dataset, DatasetColumn } from "@/db/schema/datasets";
import type { ColumnStat } from "@/db/schema/dataset-stats";
import { quoteIdent } from "@/lib/csv/headers";
import { relationExists, warehouseTable } from "@/lib/ingest/staging-sql";
import { effectiveType } from "@/lib/ingest/typed-table";
import { getDatasetById } from "@/db/queries/datasets";
import { UserError } from "@/lib/errors";
import { reloadedMeanwhile } from "@/lib/datasets/rows";

export type ColumnStatsAnswer = {
  versionId: string;
  rowCount: number;
  columns: ColumnStat[];
  durationMs: number;
  computedAt: string;
};

/** PostgreSQL allows 1,664 entries in a select list: 4 per column plus the row count. */
const COLUMNS_PER_SCAN = 400;
/** A long text value is cut for the header; the full value is in the rows. */
const MAX_SHOWN_CHARS = 200;
/** A first profile of a very large table is given up after this long (the web process waits for it). */
const STATS_TIMEOUT_MS = 60_000;

/**
 * What can change the typed table without a new version: the same file reloaded (new
 * lastLoadedAt) or read with other types, formats or null markers (the columns).
 */
export function statsFingerprint(dataset: Pick<Dataset, "columns" | "lastLoadedAt">): string {
  const columns = dataset.columns.map((c) => [c.name, effectiveType(c), c.format ?? null, c.nullMarkers ?? null]);
  return createHash("sha256")
    .update(JSON.stringify({ loadedAt: dataset.lastLoadedAt?.toISOString() ?? null, columns }))
    .digest("hex");
}

// Two requests for the same uncached version in one process share one scan.
const inFlight = new Map<string, Promise<ColumnStatsAnswer | null>>();

/**
 * The per-column null count, distinct count, min and max of the dataset's current version:
 * read from the cache when this version (as loaded now) was profiled before, else computed in
 * SQL in one scan per 400 columns and stored. Null when nothing is loaded yet.
 */
export async function columnStatsFor(dataset: Dataset): Promise<ColumnStatsAnswer | null> {
  const versionId = dataset.currentVersionId;
  if (!versionId || dataset.columns.length === 0) return null;
  const fingerprint = statsFingerprint(dataset);
  const cached = await getColumnStats(versionId, fingerprint);
  if (cached) return toAnswer(cached);
  const key = `${versionId}:${fingerprint}`;
  let work = inFlight.get(key);
  if (!work) {
    work = computeAndStore(dataset, versionId, fingerprint).finally(() => inFlight.delete(key));
    inFlight.set(key, work);
  }
  return work;
}

async function computeAndStore(dataset: Dataset, versionId: string, fingerprint: string): Promise<ColumnStatsAnswer | null> {
  const sql = getSql();
  if (!(await relationExists(sql, "warehouse", dataset.name))) return null;
  const started = performance.now();
  let rowCount = 0;
  const columns: ColumnStat[] = [];
  await sql
    .begin(async (tx) => {
      // Min and max of timestamps in UTC, as everything else shows them; a profile of a huge
      // table is given up rather than left holding a connection of the web process.
      await tx.unsafe(`set local timezone = 'UTC'`);
      await tx.unsafe(`set local statement_timeout = '${STATS_TIMEOUT_MS}ms'`);
      for (let i = 0; i < dataset.columns.length; i += COLUMNS_PER_SCAN) {
        const chunk = dataset.columns.slice(i, i + COLUMNS_PER_SCAN);
        const select = ["count(*)::bigint", ...chunk.flatMap(aggregates)].join(", ");
        const [row] = await tx.unsafe(`select ${select} from ${warehouseTable(dataset.name)}`).values();
        const values = row as (string | null)[];
        rowCount = Number(values[0]);
        chunk.forEach((c, j) => {
          const [nulls, distinct, min, max] = values.slice(1 + j * 4, 5 + j * 4);
          columns.push({ name: c.name, nulls: Number(nulls), distinct: Number(distinct), min: min ?? null, max: max ?? null });
        });
      }
    })
    .catch((err: { code?: unknown }) => {
      if (err?.code !== "57014") throw reloadedMeanwhile(err) ?? err;
      throw new UserError(
        `Profiling this table took longer than ${STATS_TIMEOUT_MS / 1000} s and was stopped; the rows are still there to browse.`,
        503,
      );
    });
  const durationMs = Math.round(performance.now() - started);
  // A load that swapped the table while this scan ran would make the profile belong to neither
  // version: store it only when the dataset is still as it was read.
  const now = await getDatasetById(dataset.id);
  const answer = { versionId, rowCount, columns, durationMs, computedAt: new Date().toISOString() };
  if (now?.currentVersionId === versionId && statsFingerprint(now) === fingerprint) {
    await insertColumnStats({ versionId, fingerprint, rowCount, columns, durationMs });
  }
  return answer;
}

function aggregates(column: DatasetColumn): string[] {
  const ident = quoteIdent(column.name);
  const type = effectiveType(column);
  // boolean has no min/max; false < true, so and/or are the same thing.
  const [min, max] = type === "boolean" ? ["bool_and", "bool_or"] : ["min", "max"];
  const shown = (agg: string) => (type === "text" ? `left(${agg}(${ident}), ${MAX_SHOWN_CHARS})` : `${agg}(${ident})::text`);
  return [`(count(*) - count(${ident}))::bigint`, `count(distinct ${ident})::bigint`, shown(min), shown(max)];
}

function toAnswer(row: { versionId: string; rowCount: number; columns: ColumnStat[]; durationMs: number; computedAt: Date }) {
  return {
    versionId: row.versionId,
    rowCount: row.rowCount,
    columns: row.columns,
    durationMs: row.durationMs,
    computedAt: row.computedAt.toISOString(),
  };
}
