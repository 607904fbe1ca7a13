import { NextResponse } from "next/server";
import { z } from "zod";
import { getPipelineById } from "@/db/queries/pipelines";
import { json, jsonRoute } from "@/lib/api/handler";
import { pipelineView } from "@/lib/api/pipeline-view";
import { UserError } from "@/lib/errors";
import { editPipeline, removePipeline } from "@/lib/pipeline/pipelines";
import { pipelineBodyInput } from "@/lib/validation/pipelines";

export const dynamic = "force-dynamic";

const idParams = z.object({ id: z.string().uuid("Not a pipeline id") });

export const GET = jsonRoute<undefined, { id: string }>({
  route: "GET /v1/pipelines/{id}",
  role: "viewer",
  params: idParams,
  handle: async ({ params }) => {
    const pipeline = await getPipelineById(params.id);
    if (!pipeline) throw new UserError("Pipeline not found", 404);
    return json(200, { pipeline: pipelineView(pipeline) });
  },
});

export const PUT = jsonRoute({
  route: "PUT /v1/pipelines/{id}",
  role: "editor",
  body: pipelineBodyInput,
  params: idParams,
  handle: async ({ body, params, principal }) => {
    const pipeline = await editPipeline({ ...body, id: params.id }, { id: principal.userId, email: principal.email });
    return json(200, { pipeline: pipelineView(pipeline) });
  },
});

export const DELETE = jsonRoute<undefined, { id: string }>({
  route: "DELETE /v1/pipelines/{id}",
  role: "editor",
  params: idParams,
  handle: async ({ params, principal }) => {
    await removePipeline(params.id, { id: principal.userId, email: principal.email });
    return new NextResponse(null, { status: 204 });
  },
});
