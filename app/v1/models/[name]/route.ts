import { NextResponse } from "next/server";
import { getModelByName } from "@/db/queries/models";
import { json, jsonRoute } from "@/lib/api/handler";
import { modelViews } from "@/lib/api/model-view";
import { UserError } from "@/lib/errors";
import { removeModel, saveModel } from "@/lib/transform/models";
import { modelBodyInput } from "@/lib/validation/models";
import { z } from "zod";
import { pathName } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

const nameParams = z.object({ name: pathName });

export const GET = jsonRoute<undefined, { name: string }>({
  route: "GET /v1/models/{name}",
  role: "viewer",
  params: nameParams,
  handle: async ({ params }) => {
    const model = await getModelByName(params.name);
    if (!model) throw new UserError(`No model named ${params.name}`, 404);
    const [view] = await modelViews([model]);
    return json(200, { model: view });
  },
});

/** Creates or replaces a model: validated and compiled; a compile error is a 400 naming its line. */
export const PUT = jsonRoute({
  route: "PUT /v1/models/{name}",
  role: "editor",
  body: modelBodyInput,
  params: nameParams,
  handle: async ({ body, params, principal }) => {
    const { name } = params;
    const existing = await getModelByName(name);
    const model = await saveModel(
      {
        name,
        sql: body.sql,
        materialization: body.materialization ?? existing?.materialization ?? "view",
        uniqueKey: body.uniqueKey ?? existing?.uniqueKey ?? [],
        snapshot: body.snapshot !== undefined ? body.snapshot : (existing?.snapshot ?? null),
        description: body.description ?? existing?.description ?? "",
        tests: body.tests ?? existing?.tests ?? [],
        columnDescriptions: body.columnDescriptions ?? existing?.columnDescriptions ?? {},
      },
      { id: principal.userId },
    );
    const [view] = await modelViews([model]);
    return json(existing ? 200 : 201, { model: view });
  },
});

export const DELETE = jsonRoute<undefined, { name: string }>({
  route: "DELETE /v1/models/{name}",
  role: "editor",
  params: nameParams,
  handle: async ({ params, principal }) => {
    await removeModel(params.name, { id: principal.userId, email: principal.email });
    return new NextResponse(null, { status: 204 });
  },
});
