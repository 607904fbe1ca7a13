import { readBodyCapped } from "@/lib/api/body";
import { UserError } from "@/lib/errors";
import { readMultipartUpload } from "@/lib/ingest/multipart";
import { MAX_IMPORT_BYTES } from "@/lib/transform/dbt-interop";

// Multipart framing and a few small fields around the file part.
const MULTIPART_SLACK = 64 * 1024;

/**
 * The dbt project zip of an import request, sent as the body (application/zip or
 * application/octet-stream) or as the multipart part `file`. Read with a byte cap that holds for
 * chunked bodies too, so an oversized upload is refused before it is buffered whole.
 */
export async function readImportZip(request: Request): Promise<Uint8Array> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const tooLarge = () => new UserError("The zip is larger than 10 MiB", 413, { file: ["Choose a zip of at most 10 MiB"] });
  const declared = Number(request.headers.get("content-length") ?? "0");
  let zip: Uint8Array;
  if (type.startsWith("application/zip") || type.startsWith("application/octet-stream")) {
    if (declared > MAX_IMPORT_BYTES) throw tooLarge();
    zip = await readBodyCapped(request.body, MAX_IMPORT_BYTES, tooLarge);
  } else if (type.startsWith("multipart/form-data")) {
    if (declared > MAX_IMPORT_BYTES + MULTIPART_SLACK) throw tooLarge();
    const { file, fields } = await readMultipartUpload(request, { fields: [] });
    zip = await readBodyCapped(file, MAX_IMPORT_BYTES, tooLarge);
    await fields;
  } else {
    throw new UserError("Send the zip as application/zip or as the multipart/form-data part `file`", 415);
  }
  if (zip.byteLength === 0) throw new UserError("The file is empty", 400, { file: ["Choose a dbt project zip"] });
  return zip;
}
