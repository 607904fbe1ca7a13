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

/** An address refusal's parts: which host, what its address is, and whether the allow list could open it. */
export type RefusedHost = {
  /** The host as the URL names it, with its port when the URL gives one (URL.host): "localhost:9". */
  host: string;
  /** What the address is, from the address policy: "loopback", "private", "cloud metadata endpoint", … */
  label: string;
  /** Whether an OUTBOUND_ALLOW_HOSTS entry could open it; never for metadata endpoints or multicast. */
  openable: boolean;
};

/** Refused by policy (scheme, credentials, address) before any byte was sent to that address. */
export class OutboundBlockedError extends OutboundError {
  override name = "OutboundBlockedError";
  constructor(
    message: string,
    /** Set when the address policy refused the host (not for a bad scheme or credentials). */
    readonly refused?: RefusedHost,
  ) {
    super(message, 400);
  }
}

const ADDRESS_WORDING: Record<string, string> = {
  loopback: "a loopback address (this server itself)",
  private: "a private-network address",
  "cloud metadata endpoint": "a cloud metadata endpoint",
  "not an IP address": "not an IP address",
};

function addressWording(label: string): string {
  // "an unspecified", "an IPv4-mapped (…)", but "a unique-local (fc00::/7)".
  return ADDRESS_WORDING[label] ?? `${/^(?:uns|[aeioI])/.test(label) ? "an" : "a"} ${label} address`;
}

/**
 * A refusal as the person who typed the URL should read it: which host, why, and what to do
 * ("Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or <alternative>."). Refusals that are not
 * about the address (scheme, credentials) already say what to do and are returned as they are.
 * Only the host and port are named: the path can hold a secret. Names and IP literals get the same
 * wording, so http://localhost:9/ and http://127.0.0.1:9/ read alike but for the host.
 */
export function explainRefusal(err: OutboundBlockedError, alternative?: string): string {
  const r = err.refused;
  if (!r) return err.message;
  const what = `${r.host} is ${addressWording(r.label)}`;
  if (!r.openable) return `${what} and never allowed.${alternative ? ` Instead, ${alternative}.` : ""}`;
  return `${what} and not allowed. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS${alternative ? `, or ${alternative}` : ""}.`;
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
