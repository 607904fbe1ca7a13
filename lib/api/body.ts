import { UserError } from "@/lib/errors";

/** The most a JSON request body may be, declared or not: chunked bodies are counted as they arrive. */
export const MAX_JSON_BYTES = 1024 * 1024;

/**
 * Reads a request body (a web stream, or a Node stream such as a multipart part) up to `maxBytes`,
 * counting as it goes and stopping the sender at the first chunk past the limit. Content-Length is
 * only a shortcut for refusing early: a chunked body has none, and a declared one may lie.
 */
export async function readBodyCapped(
  body: ReadableStream<Uint8Array> | (AsyncIterable<Uint8Array> & { destroy?: () => void }) | null,
  maxBytes: number,
  tooLarge: () => UserError,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body instanceof ReadableStream) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } else {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        body.destroy?.();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  }
  return chunks.length === 1 ? chunks[0]! : new Uint8Array(Buffer.concat(chunks));
}

function declaredLength(request: Request): number | undefined {
  const raw = request.headers.get("content-length");
  const n = raw === null ? NaN : Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The one way a route reads a JSON body: at most MAX_JSON_BYTES whether declared or streamed (413),
 * valid JSON (400). An empty body reads as {}, whatever its Content-Type (or none: `curl -X POST`
 * sends none), so a POST whose fields are all optional needs no body. A body that is not empty
 * must be application/json (415). Errors are UserErrors, which classify() turns into answers.
 */
export async function readJsonBody(request: Request, maxBytes = MAX_JSON_BYTES): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const declared = declaredLength(request);
  const isJson = type.startsWith("application/json");
  const wrongType = () => new UserError("Send the body as application/json", 415);
  if (!isJson && declared !== undefined && declared > 0) throw wrongType();
  const tooLarge = () => new UserError(`The body is larger than ${maxBytes} bytes`, 413);
  if ((declared ?? 0) > maxBytes) throw tooLarge();
  // Not JSON and no length declared: read only far enough to tell an empty body from one in the wrong type.
  const bytes = await readBodyCapped(request.body, isJson ? maxBytes : 0, isJson ? tooLarge : wrongType);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (!text.trim()) return {};
  if (!isJson) throw wrongType();
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError("The body is not valid JSON", 400);
  }
}
