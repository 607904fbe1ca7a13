import { NextResponse } from "next/server";
import { runHealthChecks } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Public liveness and readiness: 200 when database, storage and queue all answer, else 503 naming the failing check. */
export async function GET() {
  const report = await runHealthChecks();
  return NextResponse.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
