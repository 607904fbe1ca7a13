import { authorize, errorToResponse, json } from "@/lib/api/handler";
import { importDbtProject } from "@/lib/transform/dbt-interop";
import { readImportZip } from "@/lib/transform/dbt-upload";

export const dynamic = "force-dynamic";

/**
 * Imports a dbt-style project: the zip as the body (application/zip) or as a multipart `file`.
 * Both the upload (10 MiB) and what it unpacks to are capped while they stream.
 */
export async function POST(request: Request) {
  try {
    const principal = await authorize(request, "editor");
    const result = await importDbtProject(await readImportZip(request), { id: principal.userId });
    return json(200, result);
  } catch (err) {
    return errorToResponse(err, "POST /v1/models/import");
  }
}
