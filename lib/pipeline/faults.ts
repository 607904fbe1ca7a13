import { DrizzleQueryError } from "drizzle-orm";
import type { LoadError } from "@/db/schema/datasets";
import { describeLoadError, isTransientLoadError } from "@/lib/ingest/load-errors";
import { UserError } from "@/lib/errors";
import { S3StoreError } from "@/lib/storage/errors";

/**
 * Which failures of a step are worth another try in a moment (the database restarted, object
 * storage or the source was briefly unreachable), and how to say what went wrong when the tries
 * run out.
 */

/** A step's own verdict that its failure was transient; `fault` is what to show if it stays so. */
export class TransientStepError extends Error {
  override name = "TransientStepError";
  constructor(
    readonly fault: LoadError,
    options?: { cause?: unknown },
  ) {
    super(fault.message, options);
  }
}

// postgres.js reports a lost or refused connection with these codes; the server itself says
// 57P01-57P03 (shutting down, crashed, starting up) and 08xxx (connection exceptions).
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57P01",
  "57P02",
  "57P03",
]);

const STORAGE_NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
]);

/** drizzle wraps driver errors ("Failed query: …") with the original as `cause`. */
function unwrapQuery(err: unknown): unknown {
  return err instanceof DrizzleQueryError && err.cause ? err.cause : err;
}

/** The database went away under us (restart, crash, refused or dropped connection). */
export function isDatabaseConnectionError(err: unknown): boolean {
  const e = unwrapQuery(err);
  // Outbound (source, Slack) failures are UserErrors even when a socket code sits beneath them.
  if (e instanceof UserError || e instanceof S3StoreError) return false;
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08"));
}

function isStorageUnreachable(err: S3StoreError): boolean {
  return STORAGE_NETWORK_CODES.has(err.code ?? "") || (err.status ?? 0) >= 500 || err.status === 429;
}

export function isTransientFault(err: unknown): boolean {
  if (err instanceof TransientStepError) return true;
  if (err instanceof S3StoreError) return isStorageUnreachable(err);
  return isDatabaseConnectionError(err) || isTransientLoadError(unwrapQuery(err));
}

/** What the run page shows: which service failed, in words, with the specific error after it. */
export function describeFault(err: unknown): LoadError {
  if (err instanceof TransientStepError) return err.fault;
  if (err instanceof S3StoreError) {
    return {
      message: `Object storage ${isStorageUnreachable(err) ? "is unreachable" : "refused the request"}: ${err.message}`,
      code: "storage",
    };
  }
  if (isDatabaseConnectionError(err)) {
    const code = (unwrapQuery(err) as { code?: string }).code;
    return { message: `The connection to the database was lost (${code})`, code: "database" };
  }
  return describeLoadError(unwrapQuery(err));
}
