import { z } from "zod";
import { APP_VERSION } from "@/lib/env";
import { buildModelInput, rowsQuery, runsQuery } from "@/lib/api/schemas";
import { createDestinationInput, messageTemplateInput } from "@/lib/validation/destinations";
import { datasetSettingsInput, registerUrlDatasetInput } from "@/lib/validation/datasets";
import { modelBodyInput, snapshotConfigInput } from "@/lib/validation/models";
import { alertConditionInput, deliveryDigestInput, pipelineBodyInput, pipelineInput, runRequestInput } from "@/lib/validation/pipelines";
import { fireModes } from "@/db/schema/pipelines";

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests (zod's
 * JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as is).
 */
function schema(s: z.ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
const datasetSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  sourceUrl: z.string().nullable(),
  status: z.enum(["new", "loading", "ready", "failed"]),
  rowCount: z.number().int().nullable(),
  columns: z.array(
    z.object({
      name: z.string(),
      header: z.string(),
      type: z.string(),
      format: z.string().optional().describe("The written form the type was read from, e.g. DD/MM/YYYY or 1,234,567"),
      nullMarkers: z.array(z.string()).optional().describe("Markers read as NULL in this column"),
      note: z.string().optional().describe("Why a column that looks typed stayed text"),
    }),
  ),
  dialect: z
    .object({
      encoding: z.string(),
      encodingSource: z.enum(["bom", "option", "detected"]),
      delimiter: z.string(),
      header: z.boolean(),
      headerLine: z.number().int(),
      trailingDelimiter: z.boolean(),
      nullMarkers: z.array(z.string()).optional(),
    })
    .nullable()
    .describe("How the current version was read; each decision can be overridden in the dataset's options"),
  versions: z.array(
    z.object({
      id: z.string().uuid(),
      sha256: z.string(),
      bytes: z.number().int(),
      createdAt: z.string(),
      schemaChanges: z
        .object({
          added: z.array(z.object({ name: z.string(), type: z.string() })),
          removed: z.array(z.object({ name: z.string(), type: z.string() })),
          retyped: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })),
          renamed: z.array(z.object({ from: z.string(), to: z.string(), similarity: z.number() })),
        })
        .nullable()
        .describe(
          "This version's schema against the previous version's (null for the first, or a version loaded before schemas were recorded)",
        ),
    }),
  ),
  latestRunId: z.string().uuid().nullable(),
  schemaPolicy: z.enum(["evolve", "freeze"]).describe("freeze: a file that adds, drops or retypes a column fails its load"),
  typeLocks: z.record(z.string(), z.string()).describe("Columns whose type must not change"),
  schemaNotices: z.boolean().describe("Each new version's column changes are posted to the failure-alert destination"),
  freshness: z
    .object({
      warnAfter: z.string().nullable(),
      errorAfter: z.string().nullable(),
      state: z.enum(["ok", "warn", "error"]).nullable().describe("Judged now; null before the first load"),
      changedAt: z.string().nullable().describe("When the current content was first stored"),
      age: z.string().nullable(),
      reason: z.string(),
      announced: z
        .enum(["ok", "warn", "error"])
        .nullable()
        .describe("The last state the scheduled check recorded (alerts go out on each change)"),
    })
    .nullable()
    .describe("Source freshness: null when no thresholds are set"),
});
const stepSchema = z.object({
  name: z.enum(["fetch", "load", "transform", "test", "deliver"]),
  status: z.enum(["queued", "running", "succeeded", "failed", "skipped", "cancelled"]),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  rows: z.number().int().optional(),
  bytes: z.number().int().optional(),
  rowsSkipped: z.number().int().optional().describe("Load step: rows that did not match the header and were left out (badRows skip)"),
  rowsPadded: z.number().int().optional().describe("Load step: short rows whose missing trailing fields were loaded as NULL"),
  warnings: z.array(z.string()).optional(),
  error: z.string().optional(),
  skipReason: z.string().optional(),
});
const runSchema = z.object({
  id: z.string().uuid(),
  pipelineId: z.string().uuid(),
  status: z
    .enum(["queued", "running", "succeeded", "failed", "cancelled"])
    .describe("Where the run is; a finished run's `outcome` says how it went"),
  outcome: z
    .enum(["succeeded", "succeeded_with_warnings", "failed", "cancelled"])
    .nullable()
    .describe(
      "How the run ended (null until it does): `succeeded_with_warnings` when a `warn` data test warned, rows were skipped or padded, or no message was sent; `warnings` says which",
    ),
  trigger: z.enum(["manual", "schedule", "api", "retry"]),
  force: z.boolean(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  steps: z.array(stepSchema),
  warnings: z.array(z.string()).describe("Why the run needs a look although it did its job, in step order"),
  error: z.object({ message: z.string(), step: z.string().optional() }).optional(),
});
const destinationSchema = z.object({ id: z.string().uuid(), name: z.string(), webhookUrlMasked: z.string(), default: z.boolean() });
const modelSchema = z.object({
  name: z.string(),
  description: z.string(),
  sql: z.string(),
  materialization: z.enum(["view", "table", "incremental", "snapshot"]),
  uniqueKey: z.array(z.string()),
  snapshot: snapshotConfigInput
    .nullable()
    .describe("Snapshot models: `timestamp` (on `updatedAt`) or `check` (on `columns`, default all); null otherwise"),
  tests: z.array(z.record(z.string(), z.unknown())),
  columnDescriptions: z.record(z.string(), z.string()),
  revision: z.number().int(),
  lastBuild: z
    .object({
      status: z.string(),
      rows: z.number().nullable(),
      error: z.string().nullable(),
      startedAt: z.string().nullable(),
      finishedAt: z.string().nullable(),
    })
    .nullable(),
});
const buildSchema = z.object({
  model: z.string(),
  status: z.enum(["queued", "running", "succeeded", "failed", "skipped"]),
  rows: z.number().int().nullable(),
  error: z
    .object({ message: z.string(), line: z.number().int().optional(), column: z.number().int().optional(), detail: z.string().optional() })
    .nullable(),
  skippedBecause: z.string().nullable(),
  testResults: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      status: z.enum(["passed", "warned", "failed", "error"]),
      severity: z.enum(["error", "warn"]).optional(),
      failingRows: z.number().int(),
      sample: z.array(z.record(z.string(), z.unknown())),
      error: z.string().optional(),
    }),
  ),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const buildBatchSchema = z.object({
  id: z.string().uuid(),
  model: z.string(),
  status: z.enum(["queued", "running", "succeeded", "failed"]),
  url: z.string(),
  tests: z.object({ passed: z.number().int(), warned: z.number().int(), failed: z.number().int() }),
  builds: z.array(buildSchema),
});
const pipelineSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  datasetId: z.string().uuid(),
  models: z.array(z.string()).nullable(),
  deliveries: z.number().int(),
  schedule: z.object({ cron: z.string(), timezone: z.string(), nextRunAt: z.string().nullable() }).nullable(),
  paused: z.boolean(),
  isDefault: z.boolean(),
});
const pipelineDetailSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  datasetId: z.string().uuid(),
  models: z.array(z.string()).nullable(),
  deliveries: z.array(
    z.object({
      destinationId: z.string().uuid().nullable(),
      template: messageTemplateInput,
      condition: z.union([z.enum(["always", "has_rows", "changed"]), alertConditionInput]),
      fire: z.enum(fireModes),
      snoozeUntil: z.string().nullable(),
      digest: deliveryDigestInput.nullable(),
      conditionInWords: z
        .string()
        .describe('When the message is sent, in words: "when sum(amount) dropped more than 20 % since the last successful run"'),
    }),
  ),
  failureAlertDestinationId: z.string().uuid().nullable(),
  stopOnTestFailure: z.boolean().describe("A warn data test that warns fails the run too"),
  scheduleCron: z.string().nullable(),
  scheduleTimezone: z.string(),
  nextRunAt: z.string().nullable(),
  paused: z.boolean(),
  isDefault: z.boolean(),
});
const healthSchema = z.object({
  status: z.enum(["ok", "error"]),
  checks: z.object({ database: z.string(), storage: z.string(), queue: z.string() }),
  version: z.string(),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (s: Record<string, unknown>) => ({ "application/json": { schema: s } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c] ?? "Error", content: jsonContent(ref("Error")) }]));
const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request (malformed JSON or a field that failed validation; details name each field)",
  401: "Missing, invalid, expired or revoked token",
  403: "The caller's role is too low",
  404: "Not found",
  409: "Conflict (name taken, or a run is already waiting)",
  413: "Body too large",
  415: "Wrong content type",
  429: "Rate limited; see Retry-After",
};
const common = [401, 403, 429];
const ok = (code: number, description: string, body?: Record<string, unknown>) => ({
  [String(code)]: { description, ...(body ? { content: jsonContent(body) } : {}) },
});
const obj = (props: Record<string, unknown>, required = Object.keys(props)) => ({ type: "object", properties: props, required });
const queryParams = (s: z.ZodObject) =>
  Object.entries(schema(s).properties as Record<string, Record<string, unknown>>).map(([name, sch]) => ({
    name,
    in: "query",
    required: false,
    schema: sch,
  }));
const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

export function buildOpenApiDocument(serverUrl?: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Relayboard REST API",
      version: APP_VERSION,
      description:
        "CSV datasets → Postgres → SQL models → Slack. Every endpoint except GET /health needs `Authorization: Bearer <token>` (create tokens in Settings or with `npm run admin -- token create`); the app's own pages call it with their session cookie (writes from the same origin only). Errors share one shape. A POST whose fields are all optional takes no body.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "Personal API token (rb_…)" } },
      schemas: {
        Error: schema(errorSchema, "output"),
        Dataset: schema(datasetSchema, "output"),
        Run: schema(runSchema, "output"),
        Destination: schema(destinationSchema, "output"),
        Model: schema(modelSchema, "output"),
        Pipeline: schema(pipelineSchema, "output"),
        PipelineDetail: schema(pipelineDetailSchema, "output"),
        CreatePipeline: schema(pipelineInput),
        DatasetSettings: schema(datasetSettingsInput),
        UpdatePipeline: schema(pipelineBodyInput),
        BuildBatch: schema(buildBatchSchema, "output"),
        Health: schema(healthSchema, "output"),
        RegisterCsvDataset: schema(registerUrlDatasetInput),
        CreateSlackDestination: schema(createDestinationInput),
        RunPipeline: schema(runRequestInput),
        PutModel: schema(modelBodyInput),
        BuildModel: schema(buildModelInput),
      },
    },
    paths: {
      "/health": {
        get: {
          summary: "Service health",
          security: [],
          responses: { ...ok(200, "All checks ok", ref("Health")), ...ok(503, "A check failed", ref("Health")) },
        },
      },
      "/v1/datasets/csv": {
        post: {
          summary: "Register a CSV dataset (URL or upload), create its default pipeline and start the first run",
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: ref("RegisterCsvDataset") },
              "multipart/form-data": {
                schema: obj(
                  {
                    name: { type: "string" },
                    options: {
                      type: "string",
                      description:
                        "JSON object of options. Fields and the file part may come in any order; unknown or repeated fields are a 400",
                    },
                    file: { type: "string", format: "binary" },
                  },
                  ["name", "file"],
                ),
              },
            },
          },
          responses: { ...ok(201, "Registered", obj({ dataset: ref("Dataset") })), ...errors(400, 409, 413, 415, ...common) },
        },
      },
      "/v1/datasets/{name}/versions": {
        post: {
          summary:
            "Upload a new version of a dataset's file: the `file` part alone, loaded with the dataset's options (any other field is a 400)",
          parameters: [pathParam("name")],
          requestBody: {
            required: true,
            content: { "multipart/form-data": { schema: obj({ file: { type: "string", format: "binary" } }) } },
          },
          responses: {
            ...ok(
              200,
              "Same content as the latest version: nothing loaded",
              obj({ version: obj({ unchanged: { type: "boolean" }, loadId: { type: ["string", "null"] } }) }),
            ),
            ...ok(
              202,
              "Stored; a load started",
              obj({ version: obj({ unchanged: { type: "boolean" }, loadId: { type: ["string", "null"] } }) }),
            ),
            ...errors(400, 404, 409, 413, 415, ...common),
          },
        },
      },
      "/v1/datasets": {
        get: {
          summary: "List datasets",
          responses: { ...ok(200, "Datasets", obj({ datasets: { type: "array", items: ref("Dataset") } })), ...errors(...common) },
        },
      },
      "/v1/datasets/{name}": {
        get: {
          summary: "One dataset",
          parameters: [pathParam("name")],
          responses: { ...ok(200, "The dataset", obj({ dataset: ref("Dataset") })), ...errors(404, ...common) },
        },
        patch: {
          summary:
            "Change a dataset's settings: freshness thresholds (ISO-8601 durations; null turns them off), schema policy (evolve | freeze), type locks",
          parameters: [pathParam("name")],
          requestBody: { required: true, content: jsonContent(ref("DatasetSettings")) },
          responses: { ...ok(200, "The dataset", obj({ dataset: ref("Dataset") })), ...errors(400, 403, 404, ...common) },
        },
      },
      "/v1/datasets/{name}/rows": {
        get: {
          summary: "Rows of the dataset's typed warehouse table",
          parameters: [pathParam("name"), ...queryParams(rowsQuery)],
          responses: {
            ...ok(
              200,
              "A page of rows",
              obj({
                columns: { type: "array", items: { type: "string" } },
                rows: { type: "array", items: { type: "array", items: { type: ["string", "null"] } } },
                total: { type: "integer" },
              }),
            ),
            ...errors(400, 404, ...common),
          },
        },
      },
      "/v1/destinations/slack": {
        post: {
          summary: "Add a Slack incoming-webhook destination (the first becomes the default)",
          requestBody: { required: true, content: jsonContent(ref("CreateSlackDestination")) },
          responses: {
            ...ok(201, "Created; the URL is never returned", obj({ destination: ref("Destination") })),
            ...errors(400, 409, 413, 415, ...common),
          },
        },
      },
      "/v1/pipelines": {
        get: {
          summary: "List pipelines",
          responses: { ...ok(200, "Pipelines", obj({ pipelines: { type: "array", items: ref("Pipeline") } })), ...errors(...common) },
        },
        post: {
          summary:
            "Create a pipeline with its models, schedule and deliveries (each with a condition, a firing mode and an optional snooze)",
          requestBody: { required: true, content: jsonContent(ref("CreatePipeline")) },
          responses: { ...ok(201, "Created", obj({ pipeline: ref("PipelineDetail") })), ...errors(400, 404, 409, 413, 415, ...common) },
        },
      },
      "/v1/pipelines/{id}": {
        get: {
          summary: "One pipeline whole, each delivery's condition also in words",
          parameters: [pathParam("id")],
          responses: { ...ok(200, "The pipeline", obj({ pipeline: ref("PipelineDetail") })), ...errors(400, 404, ...common) },
        },
        put: {
          summary: "Change a pipeline: the fields given replace the pipeline's (deliveries as a whole list)",
          parameters: [pathParam("id")],
          requestBody: { required: true, content: jsonContent(ref("UpdatePipeline")) },
          responses: { ...ok(200, "Changed", obj({ pipeline: ref("PipelineDetail") })), ...errors(400, 404, 409, 413, 415, ...common) },
        },
        delete: {
          summary: "Delete a pipeline and its runs (not a dataset's own pipeline, nor one with a run in progress)",
          parameters: [pathParam("id")],
          responses: { ...ok(204, "Deleted"), ...errors(400, 404, 409, ...common) },
        },
      },
      "/v1/pipelines/run": {
        post: {
          summary: "Run a pipeline (or a dataset's default pipeline)",
          requestBody: { required: true, content: jsonContent(ref("RunPipeline")) },
          responses: { ...ok(202, "Accepted", obj({ run: ref("Run") })), ...errors(400, 404, 409, 413, 415, ...common) },
        },
      },
      "/v1/runs": {
        get: {
          summary: "List runs, newest first",
          parameters: queryParams(runsQuery),
          responses: {
            ...ok(200, "Runs", obj({ runs: { type: "array", items: ref("Run") }, nextCursor: { type: ["string", "null"] } })),
            ...errors(400, ...common),
          },
        },
      },
      "/v1/runs/{id}": {
        get: {
          summary: "One run with its steps",
          parameters: [pathParam("id")],
          responses: { ...ok(200, "The run", obj({ run: ref("Run") })), ...errors(400, 404, ...common) },
        },
      },
      "/v1/runs/{id}/cancel": {
        post: {
          summary: "Cancel a run (stops at the next safe point)",
          parameters: [pathParam("id")],
          responses: { ...ok(202, "Cancelling", obj({ run: ref("Run") })), ...errors(400, 404, 409, ...common) },
        },
      },
      "/v1/models": {
        get: {
          summary: "List models",
          responses: { ...ok(200, "Models", obj({ models: { type: "array", items: ref("Model") } })), ...errors(...common) },
        },
      },
      "/v1/models/{name}": {
        get: {
          summary: "One model: SQL, materialization, tests, last build",
          parameters: [pathParam("name")],
          responses: { ...ok(200, "The model", obj({ model: ref("Model") })), ...errors(404, ...common) },
        },
        put: {
          summary: "Create or replace a model (validated and compiled)",
          parameters: [pathParam("name")],
          requestBody: { required: true, content: jsonContent(ref("PutModel")) },
          responses: {
            ...ok(200, "Replaced", obj({ model: ref("Model") })),
            ...ok(201, "Created", obj({ model: ref("Model") })),
            ...errors(400, 409, 413, 415, ...common),
          },
        },
        delete: {
          summary: "Delete a model",
          parameters: [pathParam("name")],
          responses: { ...ok(204, "Deleted"), ...errors(404, 409, ...common) },
        },
      },
      "/v1/models/{name}/build": {
        post: {
          summary: "Queue a build of the model (optionally with its downstream); no body needed. Poll the answer's url.",
          parameters: [pathParam("name")],
          requestBody: { required: false, content: jsonContent(ref("BuildModel")) },
          responses: {
            ...ok(
              202,
              "Queued",
              obj({
                build: obj({
                  id: { type: "string", format: "uuid" },
                  model: { type: "string" },
                  withDownstream: { type: "boolean" },
                  status: { const: "queued" },
                  url: { type: "string" },
                }),
              }),
            ),
            ...errors(400, 404, 413, 415, ...common),
          },
        },
      },
      "/v1/models/{name}/builds/{id}": {
        get: {
          summary: "One requested build: its status and every model built in it, with errors and data test results",
          parameters: [pathParam("name"), pathParam("id")],
          responses: { ...ok(200, "The build", obj({ build: ref("BuildBatch") })), ...errors(400, 404, ...common) },
        },
      },
      "/v1/models/import": {
        post: {
          summary: "Import a dbt-style project zip (models/*.sql, schema.yml, tests/*.sql)",
          requestBody: {
            required: true,
            content: {
              "application/zip": { schema: { type: "string", format: "binary" } },
              "multipart/form-data": { schema: obj({ file: { type: "string", format: "binary" } }) },
            },
          },
          responses: {
            ...ok(
              200,
              "Imported",
              obj({
                imported: { type: "array", items: { type: "string" } },
                errors: { type: "array", items: obj({ model: { type: "string" }, message: { type: "string" } }) },
              }),
            ),
            ...errors(400, 413, 415, ...common),
          },
        },
      },
      "/v1/openapi.json": {
        get: { summary: "This document", responses: { ...ok(200, "OpenAPI 3.1", { type: "object" }), ...errors(...common) } },
      },
    },
  };
}
