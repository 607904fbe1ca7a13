import { Readable } from "node:stream";
import busboy from "busboy";
import { UserError } from "@/lib/errors";

export type MultipartUpload = { fields: Record<string, string>; file: Readable; fileName: string };

/**
 * Streams a multipart/form-data request: text fields must come before the `file` part (browsers
 * and curl send them in form order), so the caller can validate them before any bytes are stored.
 * Resolves as soon as the file part starts; the file stream is read by the caller.
 */
export function readMultipartUpload(request: Request): Promise<MultipartUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new UserError("Expected multipart/form-data with a file part", 415);
  }
  if (!request.body) throw new UserError("The request has no body", 400);
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let settled = false;
    const parser = busboy({
      headers: { "content-type": contentType },
      limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
    });
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file") {
        stream.resume();
        return;
      }
      settled = true;
      resolve({ fields, file: stream, fileName: info.filename || "upload.csv" });
    });
    parser.on("error", (err) => {
      if (!settled) reject(new UserError(`Could not read the upload: ${(err as Error).message}`, 400));
    });
    parser.on("close", () => {
      if (!settled) reject(new UserError('The upload has no file part named "file"', 400, { file: ["Choose a CSV file"] }));
    });
    Readable.fromWeb(request.body as import("node:stream/web").ReadableStream).pipe(parser);
  });
}
