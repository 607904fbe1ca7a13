import { json, jsonRoute } from "@/lib/api/handler";
import { listPipelines } from "@/db/queries/pipelines";
import { pipelineView } from "@/lib/api/pipeline-view";
import { createPipeline } from "@/lib/pipeline/pipelines";
import { pipelineInput } from "@/lib/validation/pipelines";

export const dynamic = "force-dynamic";

export const GET = jsonRoute({
  route: "GET /v1/pipelines",
  role: "viewer",
  handle: async () => {
    const pipelines = (await listPipelines()).map((p) => ({
      id: p.id,
      name: p.name,
      datasetId: p.datasetId,
      models: p.models,
      deliveries: p.deliveries.length,
      schedule: p.scheduleCron
        ? { cron: p.scheduleCron, timezone: p.scheduleTimezone, nextRunAt: p.nextRunAt?.toISOString() ?? null }
        : null,
      paused: p.paused,
      isDefault: p.isDefault,
    }));
    return json(200, { pipelines });
  },
});

/** Pipelines as code: the whole pipeline (models, schedule, deliveries with conditions) in one body. */
export const POST = jsonRoute({
  route: "POST /v1/pipelines",
  role: "editor",
  body: pipelineInput,
  handle: async ({ body, principal }) => {
    const pipeline = await createPipeline(body, { id: principal.userId });
    return json(201, { pipeline: pipelineView(pipeline) });
  },
});
