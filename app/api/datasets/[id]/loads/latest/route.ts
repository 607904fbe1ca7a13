import { NextResponse } from "next/server";
import { z } from "zod";
import { requireRole } from "@/lib/auth/session";
import { listDatasetLoads, getDatasetById } from "@/db/queries/datasets";
import { errorToResponse } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/** The newest load of a dataset, polled by the dataset page for its live progress bar. */
export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    await requireRole("viewer");
    const id = z
      .string()
      .uuid()
      .parse((await ctx.params).id);
    const dataset = await getDatasetById(id);
    if (!dataset) throw new UserError("Dataset not found", 404);
    const [load] = await listDatasetLoads(id, 1);
    return NextResponse.json(
      {
        dataset: { status: dataset.status, rowCount: dataset.rowCount, lastLoadedAt: dataset.lastLoadedAt },
        load: load ?? null,
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (err) {
    return errorToResponse(err, "GET /api/datasets/loads/latest");
  }
}
