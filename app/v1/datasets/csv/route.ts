import { authorize, errorToResponse, json } from "@/lib/api/handler";
import { readJsonBody } from "@/lib/api/body";
import { datasetView } from "@/lib/api/views";
import { UserError } from "@/lib/errors";
import { readMultipartUpload } from "@/lib/ingest/multipart";
import { registerUrlDataset } from "@/lib/ingest/register";
import { registerUploadedDataset } from "@/lib/ingest/upload";
import { datasetOptionsInput, registerUrlDatasetInput } from "@/lib/validation/datasets";

export const dynamic = "force-dynamic";

/**
 * Registers a CSV dataset from a URL (JSON) or an uploaded file (multipart/form-data with `name`,
 * optional `options` JSON, then the `file` part, streamed), creates its default pipeline and
 * starts the first run (`dataset.latestRunId`).
 */
export async function POST(request: Request) {
  try {
    const principal = await authorize(request, "editor");
    const type = (request.headers.get("content-type") ?? "").toLowerCase();
    const actor = { id: principal.userId, email: principal.email };
    // The app's own upload form calls this with its session: that first run is a manual one.
    const trigger = principal.tokenId ? "api" : "manual";
    if (type.startsWith("multipart/form-data")) {
      const { fields, file, fileName } = await readMultipartUpload(request);
      let options: unknown = {};
      try {
        options = fields.options ? JSON.parse(fields.options) : {};
      } catch {
        file.resume();
        throw new UserError("options must be a JSON object", 400, { options: ["Invalid JSON"] });
      }
      const parsed = datasetOptionsInput.safeParse(options);
      if (!parsed.success) {
        file.resume();
        throw parsed.error;
      }
      const { dataset } = await registerUploadedDataset({ name: fields.name ?? "", options: parsed.data, fileName }, file, actor, trigger);
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
