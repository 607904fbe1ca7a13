import { NextResponse } from "next/server";
import { z } from "zod";
import { requireRole } from "@/lib/auth/session";
import { UserError } from "@/lib/errors";
import { routeError } from "@/lib/api/route-errors";
import { readMultipartUpload } from "@/lib/ingest/multipart";
import { registerUploadedDataset, uploadDatasetVersion } from "@/lib/ingest/upload";
import { datasetOptionsInput } from "@/lib/validation/datasets";

export const dynamic = "force-dynamic";

/**
 * Browser uploads (session auth, editor role). Fields: `name` and optional `options` (JSON) for a
 * new dataset, or `datasetId` for a new version of an existing one; then the `file` part.
 */
export async function POST(request: Request) {
  try {
    const user = await requireRole("editor");
    const { fields, file, fileName } = await readMultipartUpload(request);
    if (fields.datasetId) {
      const result = await uploadDatasetVersion(z.string().uuid().parse(fields.datasetId), file, user, fileName);
      return NextResponse.json({ unchanged: result.unchanged, loadId: result.load?.id ?? null }, { status: 202 });
    }
    let options: unknown = undefined;
    if (fields.options) {
      try {
        options = JSON.parse(fields.options);
      } catch {
        file.resume();
        throw new UserError("options must be JSON", 400, { options: ["Invalid options"] });
      }
    }
    const { dataset, load } = await registerUploadedDataset(
      { name: fields.name ?? "", options: datasetOptionsInput.parse(options ?? {}), fileName },
      file,
      user,
    );
    return NextResponse.json({ datasetId: dataset.id, name: dataset.name, loadId: load.id }, { status: 201 });
  } catch (err) {
    return routeError(err, "datasets/upload");
  }
}
