import { NextResponse } from "next/server";
import { authorize, errorToResponse, json } from "@/lib/api/handler";
import { UserError } from "@/lib/errors";
import { importDbtProject, MAX_IMPORT_BYTES } from "@/lib/transform/dbt-interop";

export const dynamic = "force-dynamic";

async function readCapped(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (!stream) throw new UserError("The request has no body", 400);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_IMPORT_BYTES) {
      await reader.cancel();
      throw new UserError("The zip is larger than 10 MiB", 413);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Imports a dbt-style project: the zip as the body (application/zip) or as a multipart `file`. */
export async function POST(request: Request) {
  try {
    const principal = await authorize(request, "editor");
    if (principal instanceof NextResponse) return principal;
    const type = (request.headers.get("content-type") ?? "").toLowerCase();
    let zip: Uint8Array;
    if (type.startsWith("application/zip") || type.startsWith("application/octet-stream")) {
      zip = await readCapped(request.body);
    } else if (type.startsWith("multipart/form-data")) {
      if (Number(request.headers.get("content-length") ?? 0) > MAX_IMPORT_BYTES + 64 * 1024) throw new UserError("The zip is larger than 10 MiB", 413);
      const form = await request.formData();
      const file = form.get("file");
      if (!(file instanceof Blob)) throw new UserError("Send the zip as the `file` part", 400);
      if (file.size > MAX_IMPORT_BYTES) throw new UserError("The zip is larger than 10 MiB", 413);
      zip = new Uint8Array(await file.arrayBuffer());
    } else {
      throw new UserError("Send application/zip or multipart/form-data", 415);
    }
    const result = await importDbtProject(zip, { id: principal.userId });
    return json(200, result);
  } catch (err) {
    return errorToResponse(err, "POST /v1/models/import");
  }
}
