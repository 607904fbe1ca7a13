import { z } from "zod";
import { columnTypes, schemaPolicies } from "@/db/schema/datasets";
import { parseFreshnessDuration } from "@/lib/ingest/freshness";

export const DATASET_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Names that are pages of their own (/datasets/new, /models/lineage, …). */
export const RESERVED_NAMES = new Set(["new", "lineage", "preview", "import", "export", "edit"]);

export const datasetNameField = z
  .string()
  .trim()
  .min(1, "Give the dataset a name")
  .regex(DATASET_NAME_PATTERN, "Use lowercase letters, digits and underscores, starting with a letter (e.g. sales_2024)")
  .refine((v) => Buffer.byteLength(v) <= 63, "At most 63 characters (a PostgreSQL identifier limit)")
  .refine((v) => !v.startsWith("_rb_") && !v.startsWith("pg_"), "Names starting with _rb_ or pg_ are reserved")
  .refine((v) => !RESERVED_NAMES.has(v), "This name is reserved; pick another");

export const delimiterField = z.enum([",", ";", "\t", "|"], { message: "Delimiter must be , ; | or a tab" });

const badRowsField = z
  .union([
    z.object({ mode: z.literal("pad") }),
    z.object({ mode: z.literal("error") }),
    z.object({ mode: z.literal("fail") }),
    z.object({ mode: z.literal("skip"), max: z.coerce.number().int().min(1).max(100_000) }),
  ])
  .default({ mode: "pad" })
  .describe(
    "Rows whose field count differs from the header's. pad (default): short rows get NULLs and are counted, a long row fails the load; error: any fails it; skip: left out and counted, up to max",
  );

/** Read as NULL in a column whose other values are typed; a text column keeps them as written. */
export const DEFAULT_NULL_MARKERS = ["NA", "N/A", "n/a", "NULL", "null", "#N/A", "-", "NaN", "nan", "None", "none", "#VALUE!", "."];

/** Options as the API and the form send them; every field optional with a sensible default. */
export const datasetOptionsInput = z
  .object({
    delimiter: delimiterField.optional(),
    encoding: z
      .string()
      .trim()
      .max(40)
      .regex(/^[A-Za-z0-9_.:-]+$/, "Unknown encoding label")
      .optional(),
    header: z.boolean().optional().describe("Whether the first record names the columns; detected when left out"),
    headerLine: z.coerce
      .number()
      .int()
      .min(1, "The header line is 1 or more")
      .max(10_000)
      .optional()
      .describe("The physical line the table starts on; detected when left out (preamble lines are skipped)"),
    loadMode: z.enum(["replace", "append", "upsert"]).default("replace"),
    keyColumns: z.array(z.string().min(1).max(63)).max(32).optional(),
    types: z.enum(["infer", "text"]).default("infer"),
    badRows: badRowsField,
    nullMarkers: z
      .array(z.string().max(20, "A null marker is at most 20 characters"))
      .max(50)
      .optional()
      .describe("Values read as NULL in a column whose other values are typed; default NA, N/A, NULL, #N/A, -, NaN, None, …"),
    dateOrder: z.enum(["DMY", "MDY"]).optional().describe("How to read dates whose day and month could be either way round"),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.loadMode === "upsert" && (!v.keyColumns || v.keyColumns.length === 0)) {
      ctx.addIssue({ code: "custom", path: ["keyColumns"], message: "Upsert needs at least one key column" });
    }
  });

export type DatasetOptionsInput = z.input<typeof datasetOptionsInput>;

export const sourceUrlField = z
  .string()
  .trim()
  .min(1, "Enter the CSV's URL")
  .max(2048, "URL is too long")
  .refine((v) => /^https?:\/\//i.test(v), "Only http:// and https:// URLs can be fetched");

export const registerUrlDatasetInput = z
  .object({
    name: datasetNameField,
    csvUrl: sourceUrlField,
    options: datasetOptionsInput.optional(),
  })
  .strict();

export const columnOverrideInput = z.object({
  datasetId: z.string().uuid(),
  column: z.string().min(1).max(63),
  type: z.enum([...columnTypes, "auto"]),
});

/** Actions that name one dataset (delete). */
export const datasetIdInput = z.object({
  datasetId: z.string().uuid("Unknown dataset"),
});

/** The new-dataset form asking, as the name is typed, whether it is free (any string: the form checks the pattern). */
export const datasetNameCheckInput = z.object({ name: z.string().trim().min(1).max(200) });

/** "Remove failed datasets": the ones the user confirmed (each is checked again on the server). */
export const failedDatasetsCleanupInput = z.object({
  datasetIds: z.array(z.string().uuid("Unknown dataset")).min(1, "Choose at least one dataset").max(500),
});

/** "Load now" (fetch again, unchanged content skipped) or "Force reload" (load even if unchanged). */
export const datasetLoadRequestInput = z.object({
  datasetId: z.string().uuid("Unknown dataset"),
  mode: z.enum(["load", "force"]).default("load"),
});

/** Reload of one stored version. */
export const datasetVersionReloadInput = z.object({
  datasetId: z.string().uuid("Unknown dataset"),
  versionId: z.string().uuid("Unknown version"),
});

/**
 * How to read the file, changed on the dataset page: the stored current version is loaded again
 * with them (no new upload). Empty fields go back to detection.
 */
export const readOptionsInput = z.object({
  datasetId: z.string().uuid("Unknown dataset"),
  encoding: datasetOptionsInput.shape.encoding,
  delimiter: delimiterField.optional(),
  header: z.boolean().optional(),
  headerLine: datasetOptionsInput.shape.headerLine,
  nullMarkers: datasetOptionsInput.shape.nullMarkers,
  dateOrder: datasetOptionsInput.shape.dateOrder,
  badRows: badRowsField,
});
export type ReadOptionsInput = z.input<typeof readOptionsInput>;

export const dateOrderInput = z.object({ datasetId: z.string().uuid("Unknown dataset"), dateOrder: z.enum(["DMY", "MDY"]) });

const freshnessDuration = z
  .string()
  .trim()
  .max(40)
  .superRefine((text, ctx) => {
    const parsed = parseFreshnessDuration(text);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.message });
  });

/** `freshness`: ISO-8601 durations since the content last changed; null or both empty turns it off. */
export const freshnessInput = z
  .object({ warnAfter: freshnessDuration.nullable().optional(), errorAfter: freshnessDuration.nullable().optional() })
  .strict();

/** PATCH /v1/datasets/{name} and the dataset page's settings: only the fields given change. */
export const datasetSettingsInput = z
  .object({
    freshness: freshnessInput.nullable().optional(),
    /** `evolve` (default): a new file may add, drop or retype columns; `freeze`: any difference fails the load. */
    schemaPolicy: z.enum(schemaPolicies).optional(),
    /** Column → type it must keep; a file whose values do not fit fails the load naming the line. `{}` clears them. */
    typeLocks: z.record(z.string().min(1).max(63), z.enum(columnTypes)).optional(),
    /** A notice of each new version's column changes to the failure-alert destination (default true). */
    schemaNotices: z.boolean().optional(),
  })
  .strict();
