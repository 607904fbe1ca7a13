import { NextResponse } from "next/server";
import { requireRole } from "@/lib/auth/session";
import { errorToResponse } from "@/lib/api/handler";
import { listBatchBuilds, listLatestBuilds } from "@/db/queries/models";
import { modelNameField } from "@/lib/validation/models";
import { toBuildView } from "@/components/models/build-view";

export const dynamic = "force-dynamic";

/**
 * The newest build of a model (or a dataset's typed model), with the other builds of its batch
 * (the downstream models of "Build with downstream"). Polled by the model page while it runs.
 */
export async function GET(_request: Request, ctx: { params: Promise<{ name: string }> }) {
  try {
    await requireRole("viewer");
    const raw = (await ctx.params).name;
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // A malformed escape is simply not a valid name; the check below says so.
    }
    const name = modelNameField.parse(decoded);
    const [build] = await listLatestBuilds([name]);
    const batch = build ? await listBatchBuilds(build.batchId) : [];
    return NextResponse.json(
      { build: build ? toBuildView(build) : null, batch: batch.map(toBuildView) },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (err) {
    return errorToResponse(err, "GET /api/models/latest-build");
  }
}
