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
  /**
   * The written form the inferred type was read from when it is not PostgreSQL's own, e.g.
   * "DD/MM/YYYY", "1,234,567" or "padded" (see lib/ingest/refine-types.ts); the typed table casts
   * with it. Absent for plain forms.
   */
  format?: ColumnFormat;
  /** The null markers (NA, -, …) read as NULL in this column; set only when it had some. */
  nullMarkers?: string[];
  /** Why a column that looks typed stayed text, e.g. an ambiguous day/month order. */
  note?: string;
};

/** The non-native written forms a column can be typed from (lib/ingest/refine-types.ts). */
export const columnFormats = [
  "plain",
  "padded",
  "thousands",
  "YYYY/MM/DD",
  "DD/MM/YYYY",
  "MM/DD/YYYY",
  "DD.MM.YYYY",
  "YYYY/MM/DD HH:MI:SS",
  "DD/MM/YYYY HH:MI:SS",
  "MM/DD/YYYY HH:MI:SS",
  "DD.MM.YYYY HH:MI:SS",
] as const;
export type ColumnFormat = (typeof columnFormats)[number];

/** How a load read its file: every decision the sniff made and where it came from. */
export type DetectedDialect = {
  encoding: string;
  encodingSource: "bom" | "option" | "detected";
  encodingReason: string;
  delimiter: string;
  delimiterSource: "option" | "detected";
  lineEnding: "\r\n" | "\n" | "\r";
  header: boolean;
  headerSource: "option" | "detected";
  /** Physical line of the header (or first record); lines before it are a preamble. */
  headerLine: number;
  trailingDelimiter: boolean;
  /** The markers read as NULL in typed columns. */
  nullMarkers?: string[];
};

/** A scratch table filled while the file was fetched, and what the load learned doing it. */
/**
 * A load's typed twin of its scratch table (lib/ingest/load-fast.ts, openTypedLane): the rows
 * COPYed into columns of the types guessed from the head of the file.
 */
export type TypedScratch = {
  /** Bare name of the table, in the warehouse schema. */
  table: string;
  types: ColumnType[];
};

export type StagedScratch = {
  versionNumber: number;
  rows: number;
  columns: { name: string; header: string; inferredType: ColumnType }[];
  delimiter: string;
  encoding: string;
  dialect?: DetectedDialect;
  /** How many COPYs shared the rows. */
  lanes?: number;
  /** The typed twin, when its COPY took every row. */
  typed?: TypedScratch;
};

export type DatasetOptions = {
  delimiter?: "," | ";" | "\t" | "|";
  encoding?: string;
  /** Undefined: detected (a first record of only numbers and dates is data). */
  header?: boolean;
  /** The physical line of the header, overriding preamble detection. */
  headerLine?: number;
  loadMode: "replace" | "append" | "upsert";
  keyColumns?: string[];
  types: "infer" | "text";
  /** See BadRowsPolicy in lib/csv/parse.ts; "fail" is what "error" was called before "pad". */
  badRows: { mode: "pad" } | { mode: "error" } | { mode: "fail" } | { mode: "skip"; max: number };
  /** Values read as NULL in a column that is otherwise typed; undefined: DEFAULT_NULL_MARKERS. */
  nullMarkers?: string[];
  /** How to read a date column whose day and month could be either way round. */
  dateOrder?: "DMY" | "MDY";
  /** false: no schema-change notice to the failure-alert destination (default: sent). */
  schemaNotices?: boolean;
};

/** ISO-8601 durations ("PT6H", "P1D") since the dataset's content last changed (dbt's source freshness). */
export type FreshnessConfig = { warnAfter?: string | null; errorAfter?: string | null };
export const freshnessStates = ["ok", "warn", "error"] as const;
export type FreshnessState = (typeof freshnessStates)[number];
/** What a URL source answered last, for a conditional fetch (If-None-Match / If-Modified-Since). */
export type SourceValidators = {
  etag?: string | null;
  lastModified?: string | null;
  /** The version that response held: a conditional fetch only when it is the loaded one. */
  versionId: string;
};
export const schemaPolicies = ["evolve", "freeze"] as const;
export type SchemaPolicy = (typeof schemaPolicies)[number];
/** A version's schema against the previous version's. */
export type SchemaChanges = {
  added: { name: string; type: ColumnType }[];
  removed: { name: string; type: ColumnType }[];
  retyped: { name: string; from: ColumnType; to: ColumnType }[];
  /** Suggested: a removed and an added column of the same type with ≥ 90 % equal values. */
  renamed: { from: string; to: string; similarity: number }[];
};

export type LoadWarning = { code: "rows_padded" | "rows_skipped" | "type_note"; message: string; line?: number };

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
    schemaPolicy: text("schema_policy", { enum: schemaPolicies }).notNull().default("evolve"),
    /** Columns whose type must not change: a file that no longer fits fails the load. */
    typeLocks: jsonb("type_locks").$type<Record<string, ColumnType>>().notNull().default({}),
    freshness: jsonb("freshness").$type<FreshnessConfig>(),
    freshnessState: text("freshness_state", { enum: freshnessStates }),
    freshnessCheckedAt: timestamp("freshness_checked_at", { withTimezone: true }),
    sourceValidators: jsonb("source_validators").$type<SourceValidators>(),
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
    /** How the last load of this version read it (encoding, delimiter, header line, …). */
    dialect: jsonb("dialect").$type<DetectedDialect>(),
    /** The schema its last load gave the dataset, and how that differs from the version before. */
    columns: jsonb("columns").$type<DatasetColumn[]>(),
    schemaChanges: jsonb("schema_changes").$type<SchemaChanges>(),
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
    /** All skipped rows (skippedRows keeps the first ones) and the short rows padded with NULLs. */
    rowsSkipped: bigint("rows_skipped", { mode: "number" }).notNull().default(0),
    rowsPadded: bigint("rows_padded", { mode: "number" }).notNull().default(0),
    /** What a user should know about a load that succeeded: a succeeded load with warnings is not a plain success. */
    warnings: jsonb("warnings").$type<LoadWarning[]>().notNull().default([]),
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
