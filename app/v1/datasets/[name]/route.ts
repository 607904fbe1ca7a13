import { json, jsonRoute } from "@/lib/api/handler";
import { datasetViewByName } from "@/lib/api/views";
import { UserError } from "@/lib/errors";
import { z } from "zod";
import { pathName } from "@/lib/validation/path-params";
import { getDatasetByName } from "@/db/queries/datasets";
import { datasetView } from "@/lib/api/views";
import { updateDatasetSettings } from "@/lib/ingest/manage";
import { datasetSettingsInput } from "@/lib/validation/datasets";

export const dynamic = "force-dynamic";

export const GET = jsonRoute<undefined, { name: string }>({
  route: "GET /v1/datasets/{name}",
  role: "viewer",
  params: z.object({ name: pathName }),
  handle: async ({ params }) => {
    const dataset = await datasetViewByName(params.name);
    if (!dataset) throw new UserError(`No dataset named ${params.name}`, 404);
    return json(200, { dataset });
  },
});

export const PATCH = jsonRoute({
  route: "PATCH /v1/datasets/{name}",
  role: "editor",
  body: datasetSettingsInput,
  params: z.object({ name: pathName }),
  handle: async ({ body, params, principal }) => {
    const dataset = await getDatasetByName(params.name);
    if (!dataset) throw new UserError(`No dataset named ${params.name}`, 404);
    const updated = await updateDatasetSettings(dataset.id, body, { id: principal.userId, email: principal.email });
    return json(200, { dataset: await datasetView(updated) });
  },
});
