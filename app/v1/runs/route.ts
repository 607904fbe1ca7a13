import { listRuns } from "@/db/queries/pipelines";
import { json, jsonRoute } from "@/lib/api/handler";
import { decodeCursor, encodeCursor, runsQuery } from "@/lib/api/schemas";
import { summarizeRuns } from "@/lib/pipeline/run-view";

export const dynamic = "force-dynamic";

export const GET = jsonRoute({
  route: "GET /v1/runs",
  role: "viewer",
  handle: async ({ request }) => {
    const query = runsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
    const page = await listRuns(
      {
        pipelineId: query.pipelineId,
        status: query.status,
        outcome: query.outcome,
        beforeId: query.cursor ? decodeCursor(query.cursor) : undefined,
      },
      query.limit + 1,
    );
    const runs = page.slice(0, query.limit);
    return json(200, { runs: await summarizeRuns(runs), nextCursor: page.length > query.limit ? encodeCursor(runs.at(-1)!) : null });
  },
});
