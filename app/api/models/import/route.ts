import { NextResponse } from "next/server";
import { requireRole } from "@/lib/auth/session";
import { routeError } from "@/lib/api/route-errors";
import { UserError } from "@/lib/errors";
import { readMultipartUpload } from "@/lib/ingest/multipart";
import { importDbtProject, MAX_IMPORT_BYTES } from "@/lib/transform/dbt-interop";

export const dynamic = "force-dynamic";

/**
 * Imports a dbt-style zip (editor role) from the multipart field `file`. The zip is read with a
 * byte cap, so an oversized upload is refused before it is buffered whole.
 */
export async function POST(request: Request) {
  try {
    const user = await requireRole("editor");
    const declared = Number(request.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > MAX_IMPORT_BYTES + 64 * 1024) {
      throw new UserError("The zip is larger than 10 MiB", 413, { file: ["Choose a zip of at most 10 MiB"] });
    }
    const { file } = await readMultipartUpload(request);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of file as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_IMPORT_BYTES) {
        file.destroy();
        throw new UserError("The zip is larger than 10 MiB", 413, { file: ["Choose a zip of at most 10 MiB"] });
      }
      chunks.push(chunk);
    }
    if (total === 0) throw new UserError("The file is empty", 400, { file: ["Choose a dbt project zip"] });
    const result = await importDbtProject(new Uint8Array(Buffer.concat(chunks)), user);
    return NextResponse.json(result, { status: 200, headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return routeError(err, "models/import");
  }
}
