import type { LoadError } from "@/db/schema/datasets";
import { CsvFormatError } from "@/lib/csv/errors";
import { UserError } from "@/lib/errors";
import { formatBytes } from "@/lib/format";
import {
  OutboundBlockedError,
  OutboundHttpError,
  OutboundIncompleteError,
  OutboundTimeoutError,
  OutboundTooLargeError,
} from "@/lib/net/errors";

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, serialization, deadlock
  "57P01",
  "57P02",
  "57P03",
  "40001",
  "40P01",
  // postgres.js: the connection went away under the query
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** Worth another try: the network or the database hiccuped, not the file or the request. */
export function isTransientLoadError(err: unknown): boolean {
  if (err instanceof OutboundTimeoutError || err instanceof OutboundIncompleteError) return true;
  if (err instanceof OutboundHttpError) return err.statusCode >= 500 || err.statusCode === 429;
  if (err instanceof UserError || err instanceof CsvFormatError) return false;
  const code = (err as { code?: string })?.code;
  if (code && (TRANSIENT_CODES.has(code) || code.startsWith("08"))) return true;
  // Object storage answering 5xx (S3 SDK errors carry the HTTP status in $metadata).
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return typeof status === "number" && status >= 500;
}

/** What the UI shows about a failed load: a specific message, and where in the file when known. */
export function describeLoadError(err: unknown): LoadError {
  if (err instanceof CsvFormatError) {
    return {
      message: err.message,
      code: err.code,
      ...(err.line ? { line: err.line } : {}),
      ...(err.column ? { column: String(err.column) } : {}),
    };
  }
  if (err instanceof OutboundTooLargeError) {
    return {
      message: `The source is larger than the ${formatBytes(err.limit)} limit (MAX_SOURCE_BYTES), counted after decompression`,
      code: "too_large",
    };
  }
  if (err instanceof OutboundBlockedError) return { message: err.message, code: "blocked" };
  if (err instanceof OutboundTimeoutError) return { message: err.message, code: "timeout" };
  if (err instanceof OutboundIncompleteError) return { message: err.message, code: "incomplete" };
  if (err instanceof OutboundHttpError) return { message: err.message, code: "http_error" };
  if (err instanceof UserError) return { message: err.message, code: "invalid" };
  const pg = err as { code?: string; message?: string; where?: string };
  if (pg?.code && /^[0-9A-Z]{5}$/.test(pg.code)) {
    // Database errors: the message is Postgres's own (no credentials), useful as a detail.
    return { message: "The database refused the load", code: `pg_${pg.code}`, detail: String(pg.message ?? "").slice(0, 500) };
  }
  return { message: "The load failed because of an internal error; it was logged.", code: "internal" };
}
