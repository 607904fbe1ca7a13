import type { IncomingHttpHeaders } from "node:http";
import { UserError } from "@/lib/errors";

/**
 * Failures of outbound requests. They are UserErrors because each is an expected outcome of
 * fetching a user-supplied URL and its message is safe to show: messages name the origin
 * (scheme, host, port) only, never the path or query, which can hold secrets (Slack webhook
 * paths, presigned S3 signatures).
 */
export class OutboundError extends UserError {
  override name = "OutboundError";
  constructor(message: string, status = 502, options?: { cause?: unknown }) {
    super(message, status);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Refused by policy (scheme, credentials, address) before any byte was sent to that address. */
export class OutboundBlockedError extends OutboundError {
  override name = "OutboundBlockedError";
  constructor(message: string) {
    super(message, 400);
  }
}

export type TimeoutPhase = "connect" | "headers" | "idle" | "deadline";

export class OutboundTimeoutError extends OutboundError {
  override name = "OutboundTimeoutError";
  constructor(
    readonly phase: TimeoutPhase,
    readonly timeoutMs: number,
    origin: string,
  ) {
    super(`${origin}: ${describePhase(phase)} within ${timeoutMs} ms`, 504);
  }
}

function describePhase(phase: TimeoutPhase): string {
  switch (phase) {
    case "connect":
      return "connect timeout: no connection";
    case "headers":
      return "headers timeout: no response headers";
    case "idle":
      return "idle timeout: no data received";
    case "deadline":
      return "deadline exceeded: request did not finish";
  }
}

export class OutboundTooLargeError extends OutboundError {
  override name = "OutboundTooLargeError";
  constructor(readonly limit: number) {
    super(`source exceeds the ${limit}-byte limit`, 413);
  }
}

export class OutboundHttpError extends OutboundError {
  override name = "OutboundHttpError";
  constructor(
    readonly statusCode: number,
    readonly headers: IncomingHttpHeaders,
    readonly bodyExcerpt: string,
    origin: string,
  ) {
    super(`${origin} answered HTTP ${statusCode}${bodyExcerpt ? `: ${bodyExcerpt}` : ""}`, 502);
  }
}

/** The connection ended before the whole body arrived; the data read so far must not be used. */
export class OutboundIncompleteError extends OutboundError {
  override name = "OutboundIncompleteError";
  constructor(
    readonly received: number,
    readonly expected: number | undefined,
    origin: string,
    options?: { cause?: unknown },
  ) {
    const of = expected === undefined ? "" : ` of ${expected}`;
    super(`${origin}: connection closed after ${received}${of} bytes; the response is incomplete`, 502, options);
  }
}
