import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { getEnv } from "@/lib/env";
import {
  type AllowList,
  checkAddress,
  isCoveredByAllowList,
  METADATA_ADDRESS_TEXTS,
  normalizeHostName,
  parseAllowList,
} from "@/lib/net/address-policy";
import { type BodyOptions, buildBody, contentLength, readAll, readExcerpt } from "@/lib/net/body";
import { OutboundBlockedError, OutboundError, OutboundHttpError, OutboundTimeoutError } from "@/lib/net/errors";

export type ResolvedAddress = { address: string; family: number };
/** Resolves a host name to every address it has. Injectable so tests can map names without DNS. */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export type OutboundOptions = {
  allow?: AllowList;
  maxBytes?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  deadlineMs?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  maxRedirects?: number;
  lookup?: HostLookup;
};

/** openStream's answer when the request was conditional and the source said 304 Not Modified. */
export type NotModified = { url: string; status: 304; headers: IncomingHttpHeaders; notModified: true };

export type OutboundStream = {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Content-Length as sent, i.e. bytes on the wire (compressed size when the body is decoded). */
  contentLength?: number;
  /** Decoded, capped at maxBytes, idle-timed; errors rather than ends early on a cut connection. */
  body: Readable;
};

export type RequestOptions = OutboundOptions & {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: string | Buffer;
};

export type OutboundResponse = { status: number; headers: IncomingHttpHeaders; text: string };

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_REDIRECTS = 3;
export const DEFAULT_REQUEST_MAX_BYTES = 1024 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Sent only to the origin the caller named; a redirect elsewhere must not carry them along.
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export function defaultAllowList(): AllowList {
  return parseAllowList(getEnv().outboundAllowHosts);
}

/**
 * Syntax, scheme and credential checks, shared with form validation at registration time.
 * With an allow list, an IP-literal host is also checked, so http://169.254.169.254/ is refused
 * while the user is still looking at the form; host names are only checked at connect time.
 */
export function validateOutboundUrl(url: string, allow?: AllowList): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboundBlockedError("not a valid URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new OutboundBlockedError(`scheme ${parsed.protocol} is not allowed; use http or https`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new OutboundBlockedError("URLs with a user name or password are not allowed");
  }
  if (parsed.hostname === "") throw new OutboundBlockedError("URL has no host");
  if (allow) {
    const host = normalizeHostName(parsed.hostname);
    if (isIpLiteral(host)) {
      const decision = checkAddress(host, allow, { host, port: effectivePort(parsed) });
      if (!decision.allowed) throw refusal(decision.reason, parsed.host, decision);
    }
  }
  return parsed;
}

/** How long registration waits for DNS before leaving the decision to the fetch. */
export const REGISTRATION_LOOKUP_TIMEOUT_MS = 3_000;

/**
 * The check at registration time, so the form answers at once: validateOutboundUrl, and then a
 * host name is resolved through the same lookup and address policy the fetch uses. `localhost`
 * (or any name that resolves to a refused address) is refused like the IP literal it stands for,
 * and an allow-listed `localhost:port` passes as it would at connect time. This is advice, not the
 * guard: the fetch resolves and checks again when it connects. A name that does not resolve (or
 * not within the timeout) passes here and the fetch reports it, so registering never depends on
 * DNS being up.
 */
export async function checkOutboundUrl(
  url: string,
  opts: { allow?: AllowList; lookup?: HostLookup; timeoutMs?: number } = {},
): Promise<URL> {
  const allow = opts.allow ?? defaultAllowList();
  const parsed = validateOutboundUrl(url, allow);
  const host = normalizeHostName(parsed.hostname);
  if (isIpLiteral(host)) return parsed;
  const lookup = opts.lookup ?? defaultLookup;
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    lookup(host).catch(() => null),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), opts.timeoutMs ?? REGISTRATION_LOOKUP_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  if (addresses) checkResolved(host, effectivePort(parsed), parsed.host, addresses, allow);
  return parsed;
}

function refusal(reason: string, display: string, decision: { label: string; openable: boolean }): OutboundBlockedError {
  return new OutboundBlockedError(reason, { host: display, label: decision.label, openable: decision.openable });
}

/** Every answer must pass, not just the first: the socket may try any of them. */
function checkResolved(host: string, port: number, display: string, addresses: readonly ResolvedAddress[], allow: AllowList): void {
  for (const { address } of addresses) {
    const decision = checkAddress(address, allow, { host, port });
    if (!decision.allowed) throw refusal(`host ${host}: ${decision.reason}`, display, decision);
  }
}

/** GET that follows up to maxRedirects redirects; throws OutboundHttpError on a non-2xx answer. */
export async function openStream(url: string, opts?: OutboundOptions): Promise<OutboundStream>;
/** With `conditional` (If-None-Match / If-Modified-Since in `headers`), a 304 is an answer, not an error. */
export async function openStream(url: string, opts: OutboundOptions & { conditional: true }): Promise<OutboundStream | NotModified>;
export async function openStream(
  url: string,
  opts: OutboundOptions & { conditional?: boolean } = {},
): Promise<OutboundStream | NotModified> {
  const allow = opts.allow ?? defaultAllowList();
  const maxBytes = opts.maxBytes ?? getEnv().maxSourceBytes;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const call = startCall(opts, originForMessages(url));
  let headers = { ...(opts.headers ?? {}) };
  try {
    let current = validateOutboundUrl(url, allow);
    for (let redirects = 0; ; redirects++) {
      const hop = await sendOnce(current, "GET", undefined, headers, allow, opts, call.signal);
      const status = hop.res.statusCode ?? 0;
      const location = hop.res.headers.location;
      if (REDIRECT_STATUSES.has(status) && location) {
        hop.close();
        if (redirects >= maxRedirects) {
          throw new OutboundError(`${current.origin}: stopped after ${maxRedirects} redirects`);
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new OutboundError(`${current.origin} redirected to an invalid URL`);
        }
        next = validateOutboundUrl(next.href, allow);
        if (next.origin !== current.origin) headers = withoutHeaders(headers, ORIGIN_BOUND_HEADERS);
        current = next;
        continue;
      }

      if (status === 304 && opts.conditional) {
        hop.close();
        call.dispose();
        return { url: current.href, status, headers: hop.res.headers, notModified: true };
      }
      if (status < 200 || status >= 300) {
        throw new OutboundHttpError(status, hop.res.headers, await errorExcerpt(hop, current, opts, call), current.origin);
      }
      const body = bodyOrClose(hop, call, {
        origin: current.origin,
        maxBytes,
        idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        gzipByExtension: current.pathname.endsWith(".gz"),
      });
      return {
        url: current.href,
        status,
        headers: hop.res.headers,
        contentLength: contentLength(hop.res.headers["content-length"]),
        body,
      };
    }
  } catch (err) {
    call.dispose();
    throw err;
  }
}

/**
 * One request without following redirects (a webhook answering 3xx is itself the answer), returning
 * the response whatever its status so the caller can read Retry-After and the error text.
 */
export async function request(url: string, opts: RequestOptions = {}): Promise<OutboundResponse> {
  const allow = opts.allow ?? defaultAllowList();
  const call = startCall(opts, originForMessages(url));
  try {
    const target = validateOutboundUrl(url, allow);
    const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
    const hop = await sendOnce(target, method, opts.body, { ...(opts.headers ?? {}) }, allow, opts, call.signal);
    const body = bodyOrClose(hop, call, {
      origin: target.origin,
      maxBytes: opts.maxBytes ?? DEFAULT_REQUEST_MAX_BYTES,
      idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      gzipByExtension: false,
    });
    const text = (await readAll(body)).toString("utf8");
    return { status: hop.res.statusCode ?? 0, headers: hop.res.headers, text };
  } finally {
    call.dispose();
  }
}

type Hop = { res: IncomingMessage; close: () => void };

function bodyOrClose(hop: Hop, call: Call, options: BodyOptions): Readable {
  let body: Readable;
  try {
    body = buildBody(hop.res, options);
  } catch (err) {
    hop.close();
    throw err;
  }
  call.bind(body, hop);
  return body;
}

/** The error page's first words: often the only hint why a source refused (expired link, auth). */
async function errorExcerpt(hop: Hop, url: URL, opts: OutboundOptions, call: Call): Promise<string> {
  try {
    const body = bodyOrClose(hop, call, {
      origin: url.origin,
      // readExcerpt stops after a few KiB; this only keeps a lying Content-Length from refusing the read.
      maxBytes: Number.MAX_SAFE_INTEGER,
      idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      gzipByExtension: false,
    });
    return await readExcerpt(body);
  } catch {
    return "";
  } finally {
    hop.close();
  }
}

type Call = {
  signal: AbortSignal;
  /** Ties the rest of the call (deadline, caller's signal) to the body's lifetime. */
  bind: (body: Readable, hop: Hop) => void;
  dispose: () => void;
};

/** The deadline and the caller's signal as one internal signal that spans every hop and the body. */
function startCall(opts: OutboundOptions, origin: string): Call {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) controller.abort(opts.signal.reason);
  else opts.signal?.addEventListener("abort", onCallerAbort, { once: true });

  let deadline: NodeJS.Timeout | undefined;
  if (opts.deadlineMs !== undefined) {
    const ms = opts.deadlineMs;
    deadline = setTimeout(() => controller.abort(new OutboundTimeoutError("deadline", ms, origin)), ms);
  }
  let unbind: (() => void) | undefined;
  const dispose = () => {
    if (deadline) clearTimeout(deadline);
    opts.signal?.removeEventListener("abort", onCallerAbort);
    unbind?.();
  };
  const bind = (body: Readable, hop: Hop) => {
    // Destroy the response first: a body stage waiting on the socket only wakes when it closes.
    const onAbort = () => {
      hop.close();
      body.destroy(controller.signal.reason as Error);
    };
    controller.signal.addEventListener("abort", onAbort, { once: true });
    const onClose = () => {
      hop.close();
      dispose();
    };
    body.once("close", onClose);
    unbind = () => controller.signal.removeEventListener("abort", onAbort);
  };
  return { signal: controller.signal, bind, dispose };
}

/** Connects (checking every address), sends, and waits for response headers. */
function sendOnce(
  url: URL,
  method: string,
  payload: string | Buffer | undefined,
  headers: Record<string, string>,
  allow: AllowList,
  opts: OutboundOptions,
  signal: AbortSignal,
): Promise<Hop> {
  const host = normalizeHostName(url.hostname);
  const port = effectivePort(url);
  const isHttps = url.protocol === "https:";
  const connectMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const headersMs = opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;

  return new Promise<Hop>((resolve, reject) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    let agent: http.Agent | undefined;
    let timer: NodeJS.Timeout | undefined;

    const cleanup = () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      req?.destroy();
      agent?.destroy();
      reject(err);
    };
    const arm = (phase: "connect" | "headers", ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => fail(new OutboundTimeoutError(phase, ms, url.origin)), ms);
    };
    const onAbort = () => fail(signal.reason);
    if (signal.aborted) return fail(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    arm("connect", connectMs);

    resolveAllowed(host, port, allow, opts.lookup ?? defaultLookup, url.origin).then((addresses) => {
      if (settled) return;
      // Addresses the allow list opens are named to the agent one by one, so its own connect-time
      // check keeps refusing every other non-public address even if ours had let one through.
      const exceptions = addresses.filter((a) => isCoveredByAllowList(a.address, allow, { host, port })).map((a) => a.address);
      const filter = {
        keepAlive: false,
        allowPrivateIPAddress: false,
        allowMetaIPAddress: false,
        allowIPAddressList: exceptions,
        denyIPAddressList: [...METADATA_ADDRESS_TEXTS],
      };
      agent = isHttps ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter);
      const requestHeaders: Record<string, string> = {
        "user-agent": "Relayboard",
        "accept-encoding": "gzip, deflate",
        ...lowerCaseKeys(headers),
        host: url.host,
      };
      if (payload !== undefined) requestHeaders["content-length"] = String(Buffer.byteLength(payload));

      const options: https.RequestOptions = {
        method,
        host,
        port,
        path: `${url.pathname}${url.search}`,
        headers: requestHeaders,
        agent,
        // Pinning the connection to the addresses just checked: a second DNS answer (rebinding)
        // never gets a say. The agent wraps this lookup and checks the addresses again.
        lookup: pinnedLookup(host, addresses),
      };
      req = (isHttps ? https : http).request(options);
      // Sockets are never reused (keepAlive off), so each one still has its connect ahead of it.
      req.on("socket", (socket) => {
        socket.once(isHttps ? "secureConnect" : "connect", () => arm("headers", headersMs));
      });
      req.on("response", (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        cleanup();
        const close = () => {
          res.destroy();
          req?.destroy();
          agent?.destroy();
        };
        resolve({ res, close });
      });
      req.on("error", (err) => fail(mapRequestError(err, url.origin)));
      req.end(payload);
    }, fail);
  });
}

async function resolveAllowed(
  host: string,
  port: number,
  allow: AllowList,
  lookup: HostLookup,
  origin: string,
): Promise<ResolvedAddress[]> {
  const display = new URL(origin).host;
  if (isIpLiteral(host)) {
    const decision = checkAddress(host, allow, { host, port });
    if (!decision.allowed) throw refusal(decision.reason, display, decision);
    return [{ address: host, family: host.includes(":") ? 6 : 4 }];
  }
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await lookup(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OutboundError(`${origin}: could not resolve host ${host}${code ? ` (${code})` : ""}`, 502, { cause: err });
  }
  if (addresses.length === 0) throw new OutboundError(`${origin}: host ${host} has no addresses`);
  checkResolved(host, port, display, addresses, allow);
  return [...addresses];
}

const defaultLookup: HostLookup = (hostname) => dns.promises.lookup(hostname, { all: true });

function pinnedLookup(expectedHost: string, addresses: readonly ResolvedAddress[]): LookupFunction {
  const lookup = (
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = addresses.filter((a) => family === 0 || a.family === family);
    if (normalizeHostName(hostname) !== expectedHost || usable.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`no checked address for ${hostname}`);
      err.code = "ENOTFOUND";
      process.nextTick(callback, err, "");
      return;
    }
    if (options.all)
      process.nextTick(
        callback,
        null,
        usable.map((a) => ({ ...a })),
      );
    else process.nextTick(callback, null, usable[0].address, usable[0].family);
  };
  return lookup as unknown as LookupFunction;
}

function mapRequestError(err: Error, origin: string): Error {
  if (err instanceof OutboundError) return err;
  // request-filtering-agent's own refusal; ours runs first, so this means the two policies disagree.
  if (/is not allowed/.test(err.message) && err.message.startsWith("DNS lookup")) {
    return new OutboundBlockedError(`${origin}: ${err.message}`);
  }
  const code = (err as NodeJS.ErrnoException).code;
  return new OutboundError(`${origin}: request failed (${err.message || code})`, 502, { cause: err });
}

function originForMessages(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "request";
  }
}

function isIpLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(":");
}

function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function withoutHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}
