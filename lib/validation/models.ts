import { z } from "zod";
import { materializations, testSeverities } from "@/db/schema/models";
import { SNAPSHOT_COLUMNS } from "@/lib/transform/snapshot-sql";
import { THRESHOLD_PATTERN } from "@/lib/transform/test-severity";
import { DATASET_NAME_PATTERN, RESERVED_NAMES } from "@/lib/validation/datasets";

export const modelNameField = z
  .string()
  .trim()
  .min(1, "Give the model a name")
  .regex(DATASET_NAME_PATTERN, "Use lowercase letters, digits and underscores, starting with a letter")
  .refine((v) => Buffer.byteLength(v) <= 63, "At most 63 characters (a PostgreSQL identifier limit)")
  .refine((v) => !v.startsWith("_rb_") && !v.startsWith("pg_"), "Names starting with _rb_ or pg_ are reserved")
  .refine((v) => !RESERVED_NAMES.has(v), "This name is reserved; pick another");

const column = z.string().min(1).max(63);

const threshold = z
  .string()
  .trim()
  .max(40)
  .regex(THRESHOLD_PATTERN, 'Write an operator and a number of failing rows, e.g. ">10" or "!=0"')
  .transform((v) => v.replace(/\s+/g, ""));

/** dbt's test config: every test type takes it. */
const testConfig = {
  severity: z.enum(testSeverities).optional(),
  warn_if: threshold.optional(),
  error_if: threshold.optional(),
};

export const modelTestInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("not_null"), column, ...testConfig }).strict(),
  z.object({ type: z.literal("unique"), column, ...testConfig }).strict(),
  z.object({ type: z.literal("accepted_values"), column, values: z.array(z.string().max(500)).min(1).max(1000), ...testConfig }).strict(),
  z.object({ type: z.literal("relationships"), column, to: modelNameField, field: column, ...testConfig }).strict(),
  z
    .object({
      type: z.literal("row_count"),
      min: z.number().int().min(0).optional(),
      max: z.number().int().min(0).optional(),
      ...testConfig,
    })
    .strict()
    .refine((t) => t.min !== undefined || t.max !== undefined, "row_count needs min, max or both"),
  z
    .object({ type: z.literal("custom_sql"), name: z.string().trim().min(1).max(100), sql: z.string().min(1).max(50_000), ...testConfig })
    .strict(),
]);

const notSnapshotOwn = (v: string) => !(SNAPSHOT_COLUMNS as readonly string[]).includes(v);
const snapshotOwnMessage = "valid_from, valid_to and is_deleted are the snapshot's own columns";

/** A snapshot model's history rule (dbt's snapshot `strategy`, `updated_at`, `check_cols`). */
export const snapshotConfigInput = z.discriminatedUnion("strategy", [
  z
    .object({
      strategy: z.literal("timestamp"),
      updatedAt: z
        .string()
        .trim()
        .min(1, "Name the column whose later value makes a new version, e.g. updated_at")
        .max(63)
        .refine(notSnapshotOwn, snapshotOwnMessage)
        .describe("The column whose later value is a new version"),
    })
    .strict(),
  z
    .object({
      strategy: z.literal("check"),
      columns: z
        .array(column.refine(notSnapshotOwn, snapshotOwnMessage))
        .min(1, "List at least one column, or leave the list out to compare every column")
        .max(1600)
        .optional()
        .describe("The columns compared; without it, every column but the unique key's"),
    })
    .strict(),
]);

export const modelInput = z
  .object({
    name: modelNameField,
    description: z.string().max(5000).default(""),
    sql: z.string().trim().min(1, "Write one SELECT statement").max(200_000, "The SQL is too long"),
    materialization: z.enum(materializations).default("view"),
    uniqueKey: z.array(column).max(32).default([]),
    snapshot: snapshotConfigInput.nullish(),
    columnDescriptions: z.record(z.string(), z.string().max(2000)).default({}),
    tests: z.array(modelTestInput).max(200).default([]),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.materialization === "incremental" && m.uniqueKey.length === 0) {
      ctx.addIssue({ code: "custom", path: ["uniqueKey"], message: "An incremental model needs a unique key" });
    }
    if (m.materialization === "snapshot") {
      if (m.uniqueKey.length === 0) {
        ctx.addIssue({
          code: "custom",
          path: ["uniqueKey"],
          message: "A snapshot model needs a unique key: the columns that identify a row",
        });
      }
      if (m.uniqueKey.some((k) => !notSnapshotOwn(k))) ctx.addIssue({ code: "custom", path: ["uniqueKey"], message: snapshotOwnMessage });
      if (!m.snapshot) {
        ctx.addIssue({ code: "custom", path: ["snapshot"], message: "Choose how a snapshot sees a change: timestamp or check" });
      }
    }
  });

export type ModelInput = z.input<typeof modelInput>;

/** PUT /v1/models/{name}: the name comes from the path. */
export const modelBodyInput = z
  .object({
    sql: z.string().trim().min(1).max(200_000),
    materialization: z.enum(materializations).optional(),
    uniqueKey: z.array(column).max(32).optional(),
    snapshot: snapshotConfigInput.nullable().optional().describe("Snapshot models: how a change is seen (null for other materializations)"),
    description: z.string().max(5000).optional(),
    tests: z.array(modelTestInput).max(200).optional(),
    columnDescriptions: z.record(z.string(), z.string().max(2000)).optional(),
  })
  .strict();
