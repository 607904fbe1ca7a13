import { authorize, errorToResponse, json } from "@/lib/api/handler";
import { readJsonBody } from "@/lib/api/body";
import { datasetView } from "@/lib/api/views";
import { UserError } from "@/lib/errors";
import { readMultipartUpload } from "@/lib/ingest/multipart";
import { registerUrlDataset } from "@/lib/ingest/register";
import { registerUploadedDataset, uploadInputFromFields } from "@/lib/ingest/upload";
import { registerUrlDatasetInput } from "@/lib/validation/datasets";

export const dynamic = "force-dynamic";

/**
 * Registers a CSV dataset from a URL (JSON) or an uploaded file (multipart/form-data: `name`,
 * optional `options` JSON and the `file` part, streamed, in any order), creates its default
 * pipeline and starts the first run (`dataset.latestRunId`).
 */
export async function POST(request: Request) {
  try {
    const principal = await authorize(request, "editor");
    const type = (request.headers.get("content-type") ?? "").toLowerCase();
    const actor = { id: principal.userId, email: principal.email };
    // The app's own upload form calls this with its session: that first run is a manual one.
    const trigger = principal.tokenId ? "api" : "manual";
    if (type.startsWith("multipart/form-data")) {
      const upload = await readMultipartUpload(request, { fields: ["name", "options"] });
      let before;
      try {
        before = uploadInputFromFields(upload.fieldsBefore, upload.fileName);
      } catch (err) {
        upload.file.resume();
        throw err;
      }
      // Fields after the file part count as much as those before it: the dataset is created only
      // once the whole body has been read (the file meanwhile streams into object storage).
      const complete = upload.fields.then((fields) => ({ name: "", ...uploadInputFromFields(fields, upload.fileName) }));
      const { dataset } = await registerUploadedDataset({ before, complete }, upload.file, actor, trigger);
      return json(201, { dataset: await datasetView(dataset) });
    }
    if (!type.startsWith("application/json")) throw new UserError("Send application/json or multipart/form-data", 415);
    const input = registerUrlDatasetInput.parse(await readJsonBody(request));
    const { dataset } = await registerUrlDataset(input, actor, trigger);
    return json(201, { dataset: await datasetView(dataset) });
  } catch (err) {
    return errorToResponse(err, "POST /v1/datasets/csv");
  }
}
