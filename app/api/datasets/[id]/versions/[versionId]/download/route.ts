import { Readable } from "node:stream";
import { z } from "zod";
import { requireRole } from "@/lib/auth/session";
import { getDatasetById, getDatasetVersion } from "@/db/queries/datasets";
import { errorToResponse } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";
import { getObjectStore } from "@/lib/storage";

export const dynamic = "force-dynamic";

/** Streams a stored raw version back exactly as it was received. */
export async function GET(_request: Request, ctx: { params: Promise<{ id: string; versionId: string }> }) {
  try {
    await requireRole("viewer");
    const params = await ctx.params;
    const id = z.string().uuid().parse(params.id);
    const versionId = z.string().uuid().parse(params.versionId);
    const [dataset, version] = await Promise.all([getDatasetById(id), getDatasetVersion(versionId)]);
    if (!dataset || !version || version.datasetId !== dataset.id) throw new UserError("Version not found", 404);
    const body = await getObjectStore().get(version.storageKey);
    return new Response(Readable.toWeb(body) as ReadableStream, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Length": String(version.bytes),
        "Content-Disposition": `attachment; filename="${dataset.name}-v${version.version}.csv"`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (err) {
    return errorToResponse(err, "GET /api/datasets/versions/download");
  }
}
