import { bigint, index, integer, jsonb, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";
import { users } from "./users";

export const materializations = ["view", "table", "incremental", "snapshot"] as const;
export type Materialization = (typeof materializations)[number];

/**
 * A `snapshot` model's history rule (dbt's SCD type 2), by its unique key: `timestamp` opens a new
 * version when `updatedAt` moves on, `check` when any column (or one of `columns`) differs.
 */
export type SnapshotConfig = { strategy: "timestamp"; updatedAt: string } | { strategy: "check"; columns?: string[] };

export const testSeverities = ["error", "warn"] as const;
export type TestSeverity = (typeof testSeverities)[number];

/**
 * How a test's failing rows count, as dbt's test config: `error` (the default) fails the run and
 * blocks delivery, `warn` delivers and marks the run. `warn_if` / `error_if` compare the failing-row
 * count (">10", ">=1", "!=0"; both default to "!=0"); a `warn` test never errors.
 */
export type TestConfig = { severity?: TestSeverity; warn_if?: string; error_if?: string };

export type ColumnTest = TestConfig &
  (
    | { type: "not_null"; column: string }
    | { type: "unique"; column: string }
    | { type: "accepted_values"; column: string; values: string[] }
    | { type: "relationships"; column: string; to: string; field: string }
  );
export type ModelTest =
  ColumnTest | (TestConfig & ({ type: "row_count"; min?: number; max?: number } | { type: "custom_sql"; name: string; sql: string }));

export const models = appSchema.table(
  "models",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    sql: text("sql").notNull(),
    materialization: text("materialization", { enum: materializations }).notNull().default("view"),
    uniqueKey: jsonb("unique_key").$type<string[]>().notNull().default([]),
    /** Snapshot models only. */
    snapshot: jsonb("snapshot").$type<SnapshotConfig>(),
    columnDescriptions: jsonb("column_descriptions").$type<Record<string, string>>().notNull().default({}),
    tests: jsonb("tests").$type<ModelTest[]>().notNull().default([]),
    revision: integer("revision").notNull().default(1),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("models_name_unique").on(t.name)],
);

/** Every save of a model, so any earlier state can be seen, compared and restored. */
export const modelRevisions = appSchema.table(
  "model_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    modelId: uuid("model_id")
      .notNull()
      .references(() => models.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    sql: text("sql").notNull(),
    description: text("description").notNull(),
    materialization: text("materialization", { enum: materializations }).notNull(),
    uniqueKey: jsonb("unique_key").$type<string[]>().notNull(),
    snapshot: jsonb("snapshot").$type<SnapshotConfig>(),
    tests: jsonb("tests").$type<ModelTest[]>().notNull(),
    columnDescriptions: jsonb("column_descriptions").$type<Record<string, string>>().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("model_revisions_number").on(t.modelId, t.revision)],
);

export type TestResult = {
  name: string;
  type: string;
  /** `warned`: failing rows within the test's error threshold (or a `warn` test); `error`: the test's SQL failed. */
  status: "passed" | "warned" | "failed" | "error";
  severity?: TestSeverity;
  failingRows: number;
  sample: Record<string, unknown>[];
  error?: string;
};

/** One build of one model (a dataset's typed model has modelName = dataset name and no modelId). */
export const modelBuilds = appSchema.table(
  "model_builds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    modelId: uuid("model_id").references(() => models.id, { onDelete: "cascade" }),
    modelName: text("model_name").notNull(),
    batchId: uuid("batch_id").notNull(),
    status: text("status", { enum: ["queued", "running", "succeeded", "failed", "skipped"] }).notNull(),
    compiledSql: text("compiled_sql"),
    rows: bigint("rows", { mode: "number" }),
    error: jsonb("error").$type<{ message: string; line?: number; column?: number; detail?: string }>(),
    skippedBecause: text("skipped_because"),
    testResults: jsonb("test_results").$type<TestResult[]>().notNull().default([]),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("model_builds_model").on(t.modelName, t.createdAt), index("model_builds_batch").on(t.batchId)],
);

export type Model = typeof models.$inferSelect;
export type ModelRevision = typeof modelRevisions.$inferSelect;
export type ModelBuild = typeof modelBuilds.$inferSelect;
