import { NextResponse } from "next/server";
import { z } from "zod";
import { requireRole } from "@/lib/auth/session";
import { errorToResponse } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";
import { getRunDetail } from "@/lib/pipeline/run-view";

export const dynamic = "force-dynamic";

/** One run with its steps, load progress, builds and deliveries; the run page polls it every second. */
export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    await requireRole("viewer");
    const id = z
      .string()
      .uuid("Unknown run")
      .parse((await ctx.params).id);
    const detail = await getRunDetail(id);
    if (!detail) throw new UserError("Run not found", 404);
    return NextResponse.json(detail, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorToResponse(err, "GET /api/runs/detail");
  }
}
