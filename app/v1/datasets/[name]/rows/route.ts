import { json, jsonRoute } from "@/lib/api/handler";
import { rowsQuery } from "@/lib/api/schemas";
import { readDatasetRows } from "@/lib/ingest/preview";
import { z } from "zod";
import { pathName } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

/** Rows of the dataset's typed warehouse table, in file order. */
export const GET = jsonRoute<undefined, { name: string }>({
  route: "GET /v1/datasets/{name}/rows",
  role: "viewer",
  params: z.object({ name: pathName }),
  handle: async ({ params, request }) => {
    const query = rowsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
    return json(200, await readDatasetRows(params.name, query));
  },
});
