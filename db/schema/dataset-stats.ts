import { integer, jsonb, primaryKey, text, timestamp, uuid, bigint } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";
import { datasetVersions } from "./datasets";

/** One column's profile: computed in SQL over the whole typed table (lib/datasets/column-stats.ts). */
export type ColumnStat = { name: string; nulls: number; distinct: number; min: string | null; max: string | null };

/**
 * Column profiles of a dataset's table, cached per version: a new file is a new version id, so the
 * cache never needs clearing. `fingerprint` covers what can change the table without a new version
 * (a column retyped, the same version reloaded); a version keeps only its latest profile.
 */
export const datasetColumnStats = appSchema.table(
  "dataset_column_stats",
  {
    versionId: uuid("version_id")
      .notNull()
      .references(() => datasetVersions.id, { onDelete: "cascade" }),
    fingerprint: text("fingerprint").notNull(),
    rowCount: bigint("row_count", { mode: "number" }).notNull(),
    columns: jsonb("columns").$type<ColumnStat[]>().notNull(),
    /** How long the scan took, for the page (and for anyone wondering whether caching pays). */
    durationMs: integer("duration_ms").notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.fingerprint] })],
);

export type DatasetColumnStats = typeof datasetColumnStats.$inferSelect;
