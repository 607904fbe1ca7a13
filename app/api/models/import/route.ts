import { NextResponse } from "next/server";
import { requireRole } from "@/lib/auth/session";
import { routeError } from "@/lib/api/route-errors";
import { importDbtProject } from "@/lib/transform/dbt-interop";
import { readImportZip } from "@/lib/transform/dbt-upload";

export const dynamic = "force-dynamic";

/**
 * Imports a dbt-style zip (editor role) from the multipart field `file`. The zip is read with a
 * byte cap, so an oversized upload is refused before it is buffered whole, and unpacked with caps
 * on what it inflates to, so a zip bomb is refused after a few MiB of work.
 */
export async function POST(request: Request) {
  try {
    const user = await requireRole("editor");
    const result = await importDbtProject(await readImportZip(request), user);
    return NextResponse.json(result, { status: 200, headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return routeError(err, "models/import");
  }
}
