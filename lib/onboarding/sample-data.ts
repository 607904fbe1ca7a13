import fs from "node:fs";
import path from "node:path";
import { getSql } from "@/db";
import { getDatasetByName, listDatasets } from "@/db/queries/datasets";
import { listDestinations } from "@/db/queries/destinations";
import { getModelByName } from "@/db/queries/models";
import { getDefaultPipelineForDataset, getRunById, listRuns } from "@/db/queries/pipelines";
import { countOnlineWorkers } from "@/db/queries/system";
import type { PipelineDelivery, Run } from "@/db/schema/pipelines";
import type { Role } from "@/db/schema/users";
import { audit } from "@/lib/audit";
import { roleAtLeast } from "@/lib/auth/roles";
import { ForbiddenError, UserError } from "@/lib/errors";
import { registerUploadedDataset } from "@/lib/ingest/upload";
import { editPipeline } from "@/lib/pipeline/pipelines";
import { requestRun } from "@/lib/pipeline/runs";
import { ensureSampleDestination } from "@/lib/slack/sample-destination";
import { saveModel } from "@/lib/transform/models";
import type { ModelInput } from "@/lib/validation/models";

/**
 * "Try it with sample data": on an empty install, one click loads a bundled CSV of shop orders
 * through the normal upload path, adds a model on top of it, wires a sample Slack destination
 * (which posts nothing) into the dataset's pipeline and starts a run. Everything it creates is an
 * ordinary dataset, model, destination and pipeline that the user can edit or delete.
 */
export const SAMPLE_DATASET = "sample_orders";
export const SAMPLE_MODEL = "sample_weekly_revenue";
export const SAMPLE_FILE = path.join(process.cwd(), "lib", "onboarding", "sample-orders.csv");

export const SAMPLE_MODEL_INPUT: ModelInput = {
  name: SAMPLE_MODEL,
  description: "Orders and revenue per region and week, from the sample shop orders. Cancelled and refunded orders bring no revenue.",
  sql: [
    "select",
    "  date_trunc('week', order_date)::date as week,",
    "  region,",
    "  count(*) as orders,",
    "  round(sum(amount) filter (where status not in ('cancelled', 'refunded')), 2) as revenue",
    `from {{ ref('${SAMPLE_DATASET}') }}`,
    "group by 1, 2",
  ].join("\n"),
  materialization: "table",
  columnDescriptions: {
    week: "Monday of the order's week",
    region: "Sales region of the order",
    orders: "Orders placed that week",
    revenue: "Sum of amount over orders not cancelled or refunded",
  },
  tests: [
    { type: "not_null", column: "week" },
    { type: "not_null", column: "region" },
    { type: "row_count", min: 1 },
  ],
};

/** The message the sample pipeline sends: the latest week's revenue per region. */
export function sampleDelivery(destinationId: string): PipelineDelivery {
  return {
    destinationId,
    condition: "always",
    template: {
      header: "Weekly revenue by region",
      text: "*{{run.rows}}* orders loaded into `{{dataset.name}}`. The latest week from `{{model.name}}` ({{model.rowCount}} rows in all). <{{run.url}}|Open the run>",
      table: { model: SAMPLE_MODEL, columns: ["week", "region", "orders", "revenue"], sortBy: "week", sortDirection: "desc", limit: 5 },
    },
  };
}

export type SampleActor = { id: string; email?: string | null; role: Role };

/** How long the click waits for the registration's own run before wiring the rest. */
const FIRST_RUN_WAIT_MS = 30_000;
const LOCK_WAIT_MS = 60_000;
const LOCK_KEY = "relayboard:sample-data";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One setup at a time across every web process: a second click waits, then finds it done. */
async function withSampleLock<T>(body: () => Promise<T>): Promise<T> {
  const conn = await getSql().reserve();
  try {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const [row] = await conn`select pg_try_advisory_lock(hashtext(${LOCK_KEY})) as ok`;
      if (row?.ok) break;
      if (Date.now() > deadline) throw new UserError("The sample data is still being set up; try again in a moment", 409);
      await sleep(250);
    }
    try {
      return await body();
    } finally {
      await conn`select pg_advisory_unlock(hashtext(${LOCK_KEY}))`;
    }
  } finally {
    conn.release();
  }
}

async function waitForRun(runId: string, timeoutMs: number): Promise<Run | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = await getRunById(runId);
    if (!run || !["queued", "running"].includes(run.status)) return run;
    await sleep(200);
  }
  return null;
}

export type SampleDataResult = { runId: string; created: boolean };

/**
 * Sets the sample up (or finishes a setup that stopped half-way) and returns the run to watch.
 * Idempotent: once the sample model exists, it only returns the sample pipeline's latest run.
 */
export async function startSampleData(actor: SampleActor): Promise<SampleDataResult> {
  if (!roleAtLeast(actor.role, "editor")) throw new ForbiddenError("Loading sample data needs the editor role");
  return withSampleLock(async () => {
    const datasets = await listDatasets();
    let dataset = datasets.find((d) => d.name === SAMPLE_DATASET) ?? null;
    if (!dataset && datasets.length > 0) {
      throw new UserError("Sample data is offered on an empty install; this one already has datasets", 409);
    }
    if (dataset && (await getModelByName(SAMPLE_MODEL))) {
      const pipeline = await getDefaultPipelineForDataset(dataset.id);
      const [latest] = pipeline ? await listRuns({ pipelineId: pipeline.id }, 1) : [];
      if (latest) return { runId: latest.id, created: false };
    }

    if (!dataset && (await countOnlineWorkers()) === 0) {
      throw new UserError("No worker is running, so nothing would load. Start one with `npm run worker`, then try again.", 409);
    }
    const destination = await ensureSampleDestination(actor);
    let firstRun: Run | null = null;
    if (!dataset) {
      const registered = await registerUploadedDataset(
        { name: SAMPLE_DATASET, fileName: path.basename(SAMPLE_FILE) },
        fs.createReadStream(SAMPLE_FILE),
        actor,
      );
      dataset = registered.dataset;
      firstRun = registered.run;
    }
    const pipeline = await getDefaultPipelineForDataset(dataset.id);
    if (!pipeline) throw new UserError(`The dataset ${SAMPLE_DATASET} has no pipeline; delete it and try again`, 409);

    if (firstRun) {
      // Registering started the dataset's first run. It must not post its summary to a real
      // default channel, and it must not meet the model or the message half-made: so it sends
      // nothing, and the rest is wired once it has finished.
      await editPipeline({ id: pipeline.id, deliveries: [] }, actor);
      await waitForRun(firstRun.id, FIRST_RUN_WAIT_MS);
    }
    if (!(await getModelByName(SAMPLE_MODEL))) await saveModel(SAMPLE_MODEL_INPUT, actor, { mustBeNew: true });
    await editPipeline({ id: pipeline.id, deliveries: [sampleDelivery(destination.id)] }, actor);
    const run = await requestRun(pipeline.id, { trigger: "manual", actor });
    await audit(
      "sample_data.started",
      actor,
      { type: "dataset", id: dataset.id, name: dataset.name },
      {
        model: SAMPLE_MODEL,
        destinationId: destination.id,
        pipelineId: pipeline.id,
        runId: run.id,
      },
    );
    return { runId: run.id, created: true };
  });
}

export type SampleDataState =
  /** No datasets at all: offer the button. */
  | { kind: "offer" }
  /** The install has its own data; nothing to say. */
  | { kind: "none" }
  | {
      kind: "loaded";
      datasetName: string;
      pipelineId: string | null;
      destinationId: string | null;
      modelName: string | null;
      latestRun: { id: string; status: Run["status"]; outcome: Run["outcome"] } | null;
      /** Next steps done already: a real Slack webhook exists; the pipeline runs on a schedule. */
      hasRealWebhook: boolean;
      scheduled: boolean;
    };

/** What the dashboard and the datasets page show about the sample. */
export async function getSampleDataState(): Promise<SampleDataState> {
  const dataset = await getDatasetByName(SAMPLE_DATASET);
  if (!dataset) return (await listDatasets()).length === 0 ? { kind: "offer" } : { kind: "none" };
  const [pipeline, destinations, model] = await Promise.all([
    getDefaultPipelineForDataset(dataset.id),
    listDestinations(),
    getModelByName(SAMPLE_MODEL),
  ]);
  const [latest] = pipeline ? await listRuns({ pipelineId: pipeline.id }, 1) : [];
  return {
    kind: "loaded",
    datasetName: dataset.name,
    pipelineId: pipeline?.id ?? null,
    destinationId: destinations.find((d) => d.kind === "sample")?.id ?? null,
    modelName: model?.name ?? null,
    latestRun: latest ? { id: latest.id, status: latest.status, outcome: latest.outcome } : null,
    hasRealWebhook: destinations.some((d) => d.kind === "webhook"),
    scheduled: Boolean(pipeline?.scheduleCron),
  };
}
