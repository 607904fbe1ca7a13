import { json, jsonRoute } from "@/lib/api/handler";
import { datasetViewByName } from "@/lib/api/views";
import { UserError } from "@/lib/errors";
import { z } from "zod";
import { pathName } from "@/lib/validation/path-params";

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
