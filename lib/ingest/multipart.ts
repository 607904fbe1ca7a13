import { pipeline, Readable } from "node:stream";
import busboy from "busboy";
import { UserError } from "@/lib/errors";

export type MultipartUpload = {
  /** The text fields that came before the `file` part (browsers and curl send form order), for checks before any byte is stored. */
  fieldsBefore: Record<string, string>;
  file: Readable;
  fileName: string;
  /**
   * Every text field of the request, wherever it came, once the whole body has been read: so it
   * settles only after `file` has been read to its end (or drained with resume()). Rejects with a
   * 400 on a field the route does not take, one sent twice or one over the size limit, a second
   * file part, or a malformed body. A caller must not act on the upload before this settles.
   */
  fields: Promise<Record<string, string>>;
};

const MAX_FIELD_BYTES = 64 * 1024;

/**
 * Streams a multipart/form-data request with one file part, `file`, and the text fields in
 * `accept.fields`, in any order. Resolves as soon as the file part starts, with the fields sent so
 * far; the caller reads the file stream (into object storage, never whole in memory) and then
 * awaits `fields` for all of them. A problem seen before the file part starts rejects at once, so
 * nothing of the file is stored.
 */
export function readMultipartUpload(request: Request, accept: { fields: readonly string[] }): Promise<MultipartUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new UserError("Expected multipart/form-data with a file part", 415);
  }
  if (!request.body) throw new UserError("The request has no body", 400);
  const allowed = new Set(accept.fields);
  const taken = [...allowed].map((f) => `"${f}"`).join(", ");
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      limits: { files: 1, fields: 20, fieldSize: MAX_FIELD_BYTES, parts: 25 },
    });
  } catch (err) {
    throw new UserError(`Could not read the upload: ${(err as Error).message}`, 400);
  }

  const fields: Record<string, string> = {};
  let problem: UserError | null = null;
  let started = false;
  let onStart: { resolve: (u: MultipartUpload) => void; reject: (e: unknown) => void };
  let onEnd: { resolve: (f: Record<string, string>) => void; reject: (e: unknown) => void };
  const all = new Promise<Record<string, string>>((resolve, reject) => (onEnd = { resolve, reject }));
  all.catch(() => {}); // a caller that fails before awaiting it leaves no unhandled rejection
  const start = new Promise<MultipartUpload>((resolve, reject) => (onStart = { resolve, reject }));

  const refuse = (err: UserError) => {
    problem ??= err;
    if (!started) onStart.reject(problem);
  };
  parser.on("field", (name, value, info) => {
    if (!allowed.has(name)) {
      refuse(
        new UserError(`This upload takes ${taken ? `the fields ${taken} and ` : ""}the file part "file", not "${name}"`, 400, {
          [name]: ["Unknown field"],
        }),
      );
    } else if (Object.hasOwn(fields, name)) {
      refuse(new UserError(`The field "${name}" was sent twice`, 400, { [name]: ["Sent twice"] }));
    } else if (info.valueTruncated) {
      refuse(new UserError(`The field "${name}" is longer than ${MAX_FIELD_BYTES / 1024} KiB`, 400, { [name]: ["Too long"] }));
    } else {
      fields[name] = value;
    }
  });
  parser.on("file", (name, stream, info) => {
    if (name !== "file" || started || problem) {
      stream.resume();
      if (name !== "file")
        refuse(new UserError(`The file must be the part named "file", not "${name}"`, 400, { file: ["Choose a CSV file"] }));
      return;
    }
    started = true;
    onStart.resolve({ fieldsBefore: { ...fields }, file: stream, fileName: info.filename || "upload.csv", fields: all });
  });
  for (const limit of ["filesLimit", "fieldsLimit", "partsLimit"] as const) {
    parser.on(limit, () => refuse(new UserError("The upload has more parts than the one file and its fields", 400)));
  }
  const finish = (err: Error | null | undefined) => {
    const failure = err ? new UserError(`Could not read the upload: ${err.message}`, 400) : problem;
    if (!started) {
      onStart.reject(failure ?? new UserError('The upload has no file part named "file"', 400, { file: ["Choose a CSV file"] }));
    }
    if (failure) onEnd.reject(failure);
    else onEnd.resolve({ ...fields });
  };
  // pipeline, not pipe: a body that breaks off fails the parser, and so the file stream and its store.
  pipeline(Readable.fromWeb(request.body as import("node:stream/web").ReadableStream), parser, finish);
  return start;
}
