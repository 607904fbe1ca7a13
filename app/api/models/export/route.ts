import { requireRole } from "@/lib/auth/session";
import { errorToResponse } from "@/lib/api/handler";
import { exportDbtProject } from "@/lib/transform/dbt-interop";

export const dynamic = "force-dynamic";

/** Every model as a dbt-style project in a zip (viewer role: it is a read). */
export async function GET() {
  try {
    await requireRole("viewer");
    const zip = await exportDbtProject();
    // A copy typed as ArrayBuffer-backed, which is what BodyInit accepts.
    return new Response(new Uint8Array(zip), {
      headers: {
        "Content-Type": "application/zip",
        "Content-Disposition": 'attachment; filename="relayboard-dbt.zip"',
        "Content-Length": String(zip.byteLength),
        "Cache-Control": "no-store",
      },
    });
  } catch (err) {
    return errorToResponse(err, "GET /api/models/export");
  }
}
