import { sql } from "drizzle-orm";
import { boolean, doublePrecision, index, integer, jsonb, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "./app-schema";
import { users } from "./users";
import { datasets, datasetLoads, datasetVersions } from "./datasets";
import { destinations } from "./destinations";

/** The first conditions, kept as they were saved: `has_rows` is a row count > 0, `changed` compares the message's content. */
export type DeliveryCondition = "always" | "has_rows" | "changed";
export const comparisons = [">", ">=", "<", "<=", "=", "!="] as const;
export type Comparison = (typeof comparisons)[number];
/**
 * When a message is sent, evaluated in SQL on a model's result (the message's table model unless
 * `model` names another). `where` and `expression` are user SQL, run on the sandbox role.
 */
export type AlertCondition = { model?: string } & (
  | { kind: "always" }
  | { kind: "rowCount"; op: Comparison; value: number }
  | { kind: "anyRow"; where: string }
  | { kind: "allRows"; where: string }
  | { kind: "aggregate"; expression: string; op: Comparison; value: number }
  | { kind: "percentChange"; expression: string; direction: "up" | "down" | "either"; percent: number }
);
export const fireModes = ["every_run", "on_change", "on_change_and_recovery"] as const;
/** every run the condition holds; only when it becomes true; or then and again when it stops ("back to normal"). */
export type FireMode = (typeof fireModes)[number];
export type PipelineDelivery = {
  /** null: the default destination at run time. */
  destinationId: string | null;
  template: {
    header?: string;
    text: string;
    table?: { model: string; columns?: string[]; sortBy?: string; sortDirection?: "asc" | "desc"; limit?: number };
  };
  condition: DeliveryCondition | AlertCondition;
  /** Default `every_run`. */
  fire?: FireMode;
  /** ISO time: no message before it (the condition is still evaluated and remembered). */
  snoozeUntil?: string | null;
  /** Send only what changed in the message's table model since the last delivered result. */
  digest?: DeliveryDigestConfig | null;
};
export const digestModes = ["digest", "per_row"] as const;
/** Rows of each kind a digest shows (messages a per-row delivery sends) unless the delivery says, and the most it may say. */
export const DEFAULT_DIGEST_ROWS = 10;
export const MAX_DIGEST_ROWS = 50;
/**
 * "What changed" by `key` (one or more columns of the table model): `digest` sends one message
 * with the counts and the first `maxRows` rows of each kind, `per_row` one message per changed row
 * up to `maxRows` (then one message with the rest counted). The first run takes a baseline and sends
 * nothing, or a short note with `baselineMessage`.
 */
export type DeliveryDigestConfig = {
  key: string[];
  mode: (typeof digestModes)[number];
  maxRows?: number;
  baselineMessage?: boolean;
};

export const pipelines = appSchema.table(
  "pipelines",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    datasetId: uuid("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    /** Models to build; null: everything downstream of the dataset. */
    models: jsonb("models").$type<string[] | null>(),
    deliveries: jsonb("deliveries").$type<PipelineDelivery[]>().notNull().default([]),
    failureAlertDestinationId: uuid("failure_alert_destination_id").references(() => destinations.id, { onDelete: "set null" }),
    stopOnTestFailure: boolean("stop_on_test_failure").notNull().default(false),
    scheduleCron: text("schedule_cron"),
    scheduleTimezone: text("schedule_timezone").notNull().default("UTC"),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    paused: boolean("paused").notNull().default(false),
    isDefault: boolean("is_default").notNull().default(false),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("pipelines_name_unique").on(t.name), index("pipelines_next_run").on(t.nextRunAt)],
);

export const runStatuses = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];
/** How a finished run ended, for people: `succeeded_with_warnings` is a success that needs a look. */
export const runOutcomes = ["succeeded", "succeeded_with_warnings", "failed", "cancelled"] as const;
export type RunOutcome = (typeof runOutcomes)[number];
export const stepNames = ["fetch", "load", "transform", "test", "deliver"] as const;
export type StepName = (typeof stepNames)[number];
export const stepStatuses = ["queued", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
export type StepStatus = (typeof stepStatuses)[number];

export const runs = appSchema.table(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    trigger: text("trigger", { enum: ["manual", "schedule", "api", "retry"] }).notNull(),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    status: text("status", { enum: runStatuses }).notNull().default("queued"),
    force: boolean("force").notNull().default(false),
    loadId: uuid("load_id").references(() => datasetLoads.id, { onDelete: "set null" }),
    datasetVersionId: uuid("dataset_version_id").references(() => datasetVersions.id, { onDelete: "set null" }),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    error: jsonb("error").$type<{ message: string; step?: StepName; detail?: string }>(),
    /** Set when the run ends (null while queued or running). */
    outcome: text("outcome", { enum: runOutcomes }),
    /** Why a run that did its job still needs a look: every step's warnings, in step order. */
    warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("runs_pipeline").on(t.pipelineId, t.createdAt),
    index("runs_status").on(t.status, t.createdAt),
    // At most one running and one waiting run per pipeline, enforced by the database itself.
    uniqueIndex("runs_one_running")
      .on(t.pipelineId)
      .where(sql`${t.status} = 'running'`),
    uniqueIndex("runs_one_queued")
      .on(t.pipelineId)
      .where(sql`${t.status} = 'queued'`),
  ],
);

export type StepLogLine = { at: string; level: "info" | "warn" | "error"; message: string };
export type StepCounts = {
  bytes?: number;
  rows?: number;
  /** Load step: rows left out (badRows skip) and short rows padded with NULLs. */
  rowsSkipped?: number;
  rowsPadded?: number;
  /** What the user should know although the step succeeded (load warnings, warned tests, unsent messages). */
  warnings?: string[];
  models?: number;
  tests?: number;
  /** Test step: tests that failed (or could not run) and tests that only warned. */
  testsFailed?: number;
  testsWarned?: number;
  messages?: number;
  /** Deliver step: messages left unsent (a condition, no destination). */
  messagesSkipped?: number;
};

export const runSteps = appSchema.table(
  "run_steps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    name: text("name", { enum: stepNames }).notNull(),
    position: integer("position").notNull(),
    status: text("status", { enum: stepStatuses }).notNull().default("queued"),
    /** Bumped each time the step is handed to a worker; only the current attempt may finish it. */
    attempt: integer("attempt").notNull().default(0),
    workerId: text("worker_id"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    counts: jsonb("counts").$type<StepCounts>().notNull().default({}),
    progress: jsonb("progress").$type<{
      bytesRead?: number;
      bytesTotal?: number | null;
      rows?: number;
      phase?: string | null;
      batchId?: string;
    }>(),
    log: jsonb("log").$type<StepLogLine[]>().notNull().default([]),
    error: jsonb("error").$type<{ message: string; detail?: string }>(),
    skipReason: text("skip_reason"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("run_steps_run_name").on(t.runId, t.name), index("run_steps_heartbeat").on(t.status, t.heartbeatAt)],
);

export type Pipeline = typeof pipelines.$inferSelect;
export type Run = typeof runs.$inferSelect;
export type RunStep = typeof runSteps.$inferSelect;

/** Each run's verdict on each delivery's condition: what firing modes and percent changes compare with. */
export const deliveryEvaluations = appSchema.table(
  "delivery_evaluations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    deliveryIndex: integer("delivery_index").notNull(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** The condition as evaluated (normalised JSON): a message edited, moved or replaced starts afresh. */
    conditionKey: text("condition_key").notNull(),
    holds: boolean("holds").notNull(),
    /** Whether the team was told it holds (false while snoozed): what firing on change compares with. */
    told: boolean("told").notNull(),
    value: doublePrecision("value"),
    reason: text("reason").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("delivery_evaluations_run").on(t.runId, t.deliveryIndex),
    index("delivery_evaluations_pipeline").on(t.pipelineId, t.deliveryIndex, t.conditionKey, t.createdAt),
  ],
);
export type DeliveryEvaluation = typeof deliveryEvaluations.$inferSelect;

/**
 * One run's "what changed" digest for one delivery, written before anything is posted: a
 * restarted deliver step posts exactly these payloads (never a recomputed diff), and the delivered
 * snapshot moves forward only after they were all accepted (status `delivered`).
 */
export const deliveryDigests = appSchema.table(
  "delivery_digests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    deliveryIndex: integer("delivery_index").notNull(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** Model, key and compared columns: a digest whose key changed starts from a new baseline. */
    digestKey: text("digest_key").notNull(),
    /** `prepared`: computed, maybe partly posted; `delivered`: the snapshot moved forward; `abandoned`: never posted, its changes come again. */
    status: text("status", { enum: ["prepared", "delivered", "abandoned"] })
      .notNull()
      .default("prepared"),
    baseline: boolean("baseline").notNull().default(false),
    counts: jsonb("counts").$type<{ added: number; changed: number; removed: number; rows: number }>().notNull(),
    payloads: jsonb("payloads").$type<Record<string, unknown>[]>().notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("delivery_digests_run").on(t.runId, t.deliveryIndex),
    index("delivery_digests_pipeline").on(t.pipelineId, t.deliveryIndex, t.createdAt),
  ],
);
export type DeliveryDigest = typeof deliveryDigests.$inferSelect;
