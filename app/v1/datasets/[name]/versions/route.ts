import { z } from "zod";
import { getDatasetByName } from "@/db/queries/datasets";
import { authorize, errorToResponse, json } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";
import { readMultipartUpload } from "@/lib/ingest/multipart";
import { uploadDatasetVersion } from "@/lib/ingest/upload";
import { pathName } from "@/lib/validation/path-params";

export const dynamic = "force-dynamic";

/**
 * A new file for an existing dataset (multipart/form-data, the `file` part, streamed), loaded with
 * the dataset's options. The same content as the latest version is answered `unchanged` (200), with
 * nothing loaded; a new version starts a load (202).
 */
export async function POST(request: Request, ctx: { params: Promise<{ name: string }> }) {
  try {
    const principal = await authorize(request, "editor");
    const { name } = z.object({ name: pathName }).parse(await ctx.params);
    const dataset = await getDatasetByName(name);
    if (!dataset) throw new UserError(`No dataset named ${name}`, 404);
    // No text fields: a new version loads with the dataset's options, so an `options` field is refused, not ignored.
    const { file, fileName, fields } = await readMultipartUpload(request, { fields: [] });
    const result = await uploadDatasetVersion(dataset.id, file, { id: principal.userId }, fileName, fields);
    return json(result.unchanged ? 200 : 202, { version: { unchanged: result.unchanged, loadId: result.load?.id ?? null } });
  } catch (err) {
    return errorToResponse(err, "POST /v1/datasets/{name}/versions");
  }
}
