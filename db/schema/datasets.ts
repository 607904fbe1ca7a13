import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, text, timestamp, uniqueIndex, uuid, boolean } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";
import { users } from "./users";

export const columnTypes = ["boolean", "bigint", "numeric", "date", "timestamp", "timestamptz", "text"] as const;
export type ColumnType = (typeof columnTypes)[number];

export type DatasetColumn = {
  /** The Postgres identifier in staging and warehouse. */
  name: string;
  /** The header text as it appeared in the file. */
  header: string;
  /** Inferred over the whole file during the last load. */
  inferredType: ColumnType;
  /** The user's override, if any; wins over the inferred type. */
  overrideType?: ColumnType;
};

/** A scratch table filled while the file was fetched, and what the load learned doing it. */
export type StagedScratch = {
  versionNumber: number;
  rows: number;
  columns: { name: string; header: string; inferredType: ColumnType }[];
  delimiter: string;
  encoding: string;
  /** How many COPYs shared the rows. */
  lanes?: number;
};

export type DatasetOptions = {
  delimiter?: "," | ";" | "\t" | "|";
  encoding?: string;
  header: boolean;
  loadMode: "replace" | "append" | "upsert";
  keyColumns?: string[];
  types: "infer" | "text";
  badRows: { mode: "fail" } | { mode: "skip"; max: number };
};

export type LoadError = { message: string; code?: string; line?: number; column?: string; detail?: string };
export type SkippedRow = { line: number; reason: string; raw?: string };

export const datasets = appSchema.table(
  "datasets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    sourceType: text("source_type", { enum: ["url", "upload"] }).notNull(),
    sourceUrl: text("source_url"),
    options: jsonb("options").$type<DatasetOptions>().notNull(),
    status: text("status", { enum: ["new", "loading", "ready", "failed"] })
      .notNull()
      .default("new"),
    columns: jsonb("columns").$type<DatasetColumn[]>().notNull().default([]),
    rowCount: bigint("row_count", { mode: "number" }),
    lastLoadedAt: timestamp("last_loaded_at", { withTimezone: true }),
    currentVersionId: uuid("current_version_id"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("datasets_name_unique").on(t.name),
    check("datasets_name_format", sql`${t.name} ~ '^[a-z][a-z0-9_]*$' and octet_length(${t.name}) <= 63`),
  ],
);

export const datasetVersions = appSchema.table(
  "dataset_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    datasetId: uuid("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    sha256: text("sha256").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    storageKey: text("storage_key").notNull(),
    source: text("source").notNull(),
    contentType: text("content_type"),
    rowCount: bigint("row_count", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("dataset_versions_number").on(t.datasetId, t.version), index("dataset_versions_sha").on(t.datasetId, t.sha256)],
);

export const loadStatuses = ["queued", "running", "succeeded", "failed", "unchanged", "cancelled"] as const;

/** One fetch-and-load attempt of a dataset; the UI follows it live. */
export const datasetLoads = appSchema.table(
  "dataset_loads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    datasetId: uuid("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    versionId: uuid("version_id").references(() => datasetVersions.id, { onDelete: "set null" }),
    /** For uploads and reloads: the object to load instead of fetching the URL. */
    sourceKey: text("source_key"),
    force: boolean("force").notNull().default(false),
    status: text("status", { enum: loadStatuses }).notNull().default("queued"),
    phase: text("phase"),
    bytesRead: bigint("bytes_read", { mode: "number" }).notNull().default(0),
    bytesTotal: bigint("bytes_total", { mode: "number" }),
    rowsLoaded: bigint("rows_loaded", { mode: "number" }).notNull().default(0),
    error: jsonb("error").$type<LoadError>(),
    skippedRows: jsonb("skipped_rows").$type<SkippedRow[]>().notNull().default([]),
    /** Milliseconds per phase (fetch, load, apply, typing), for the UI and the benchmark. */
    timings: jsonb("timings").$type<Record<string, number>>().notNull().default({}),
    /** Set when the fetch also filled this load's scratch table (see lib/ingest/speculative-load.ts). */
    staged: jsonb("staged").$type<StagedScratch>(),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    progressAt: timestamp("progress_at", { withTimezone: true }),
  },
  (t) => [index("dataset_loads_dataset").on(t.datasetId, t.createdAt)],
);

export type Dataset = typeof datasets.$inferSelect;
export type DatasetVersion = typeof datasetVersions.$inferSelect;
export type DatasetLoad = typeof datasetLoads.$inferSelect;
