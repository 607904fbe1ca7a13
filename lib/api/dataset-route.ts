import { NextResponse } from "next/server";
import { z } from "zod";
import type { Dataset } from "@/db/schema/datasets";
import { getDatasetById } from "@/db/queries/datasets";
import { requireRole } from "@/lib/auth/session";
import { errorToResponse } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";

type Handler = (request: Request, ctx: { params: Promise<{ id: string }> }) => Promise<NextResponse>;

/**
 * A GET under /api/datasets/[id]/ for the app's own pages: the session's role is checked first,
 * then the id, then the dataset is read; any failure is the one /v1 error shape, never cached.
 */
export function viewerDatasetGet(route: string, answer: (dataset: Dataset, request: Request) => Promise<unknown>): Handler {
  return async (request, ctx) => {
    try {
      await requireRole("viewer");
      const id = z
        .string()
        .uuid()
        .parse((await ctx.params).id);
      const dataset = await getDatasetById(id);
      if (!dataset) throw new UserError("Dataset not found", 404);
      return NextResponse.json(await answer(dataset, request), { headers: { "Cache-Control": "no-store" } });
    } catch (err) {
      return errorToResponse(err, route);
    }
  };
}
