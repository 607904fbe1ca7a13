import crypto from "node:crypto";
import net from "node:net";
import type { IncomingHttpHeaders } from "node:http";
import { getEnv } from "@/lib/env";

/**
 * Who is on the other end of a request. Next.js hands route handlers and server actions no socket,
 * and its own X-Forwarded-For is whatever the client sent (it only fills it in when absent). So the
 * launcher's web server (scripts/web-server.ts) stamps each request with the connection's peer
 * address, signed with AUTH_SECRET: a client can neither forge the stamp nor keep one of its own.
 * Served any other way (plain `next start`), there is no stamp and the peer counts as unknown.
 */
export const PEER_HEADER = "x-relayboard-peer";

const FORWARDING_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"] as const;

type HeaderSource = { get(name: string): string | null } | Record<string, unknown>;

export type RequestClient = {
  /** The client's address, or null when it cannot be known (no stamp, no trusted proxy). */
  address: string | null;
  /** Reached us from this machine, directly or through a trusted proxy that says so. */
  loopback: boolean;
};

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, unknown>)[name];
  return Array.isArray(value) ? value.map(String).join(", ") : typeof value === "string" ? value : undefined;
}

/** A bare IP (no brackets, port or zone; IPv4-mapped IPv6 as IPv4), or null if it is none. */
export function normalizeAddress(value: string | undefined | null): string | null {
  let text = (value ?? "").trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  text = text.replace(/%.*$/, "").toLowerCase();
  if (/^::ffff:\d{1,3}(?:\.\d{1,3}){3}$/.test(text)) text = text.slice(7);
  return net.isIP(text) ? text : null;
}

function blockList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    if (entry === "loopback") {
      list.addSubnet("127.0.0.0", 8, "ipv4");
      list.addAddress("::1", "ipv6");
      continue;
    }
    const [address, prefix] = entry.split("/");
    const family = net.isIP(address ?? "") === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, Number(prefix), family);
  }
  return list;
}

function inList(list: net.BlockList, address: string): boolean {
  return list.check(address, net.isIP(address) === 6 ? "ipv6" : "ipv4");
}

const LOOPBACK = blockList(["loopback"]);

export function isLoopbackAddress(address: string | null | undefined): boolean {
  const normalized = normalizeAddress(address);
  return normalized !== null && inList(LOOPBACK, normalized);
}

function sign(payload: string, secret: string): Buffer {
  return crypto.createHmac("sha256", secret).update(`relayboard-peer\0${payload}`).digest();
}

/**
 * For the launcher's web server, on every request before Next sees it: replaces any stamp the client
 * sent with the socket's peer address and whether forwarding headers arrived with the request.
 */
export function stampPeer(headers: IncomingHttpHeaders, remoteAddress: string | undefined, secret: string): void {
  delete headers[PEER_HEADER];
  const address = normalizeAddress(remoteAddress);
  if (!address) return;
  const forwarded = FORWARDING_HEADERS.some((name) => headers[name] !== undefined);
  const payload = `${address};${forwarded ? "forwarded" : "direct"}`;
  headers[PEER_HEADER] = `${payload};${sign(payload, secret).toString("base64url")}`;
}

/** The stamp, if present and signed with this secret; anything else counts as no stamp. */
export function readPeer(headers: HeaderSource, secret: string): { address: string; forwarded: boolean } | null {
  const value = readHeader(headers, PEER_HEADER);
  const parts = value?.split(";");
  if (!parts || parts.length !== 3) return null;
  const [address, mode, signature] = parts as [string, string, string];
  const expected = sign(`${address};${mode}`, secret);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  if (normalizeAddress(address) !== address || (mode !== "direct" && mode !== "forwarded")) return null;
  return { address, forwarded: mode === "forwarded" };
}

/**
 * X-Forwarded-For read from the right: each trusted proxy appended the address it saw, so the first
 * entry that is not a trusted proxy is the client. Anything left of it was written by the client.
 */
function rightmostUntrusted(forwardedFor: string | undefined, trusted: net.BlockList): string | null {
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  let leftmost: string | null = null;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = normalizeAddress(hops[i]);
    // A hop that is no address was not written by a proxy we trust: stop believing the header.
    if (!address) return null;
    if (!inList(trusted, address)) return address;
    leftmost = address;
  }
  return leftmost;
}

/**
 * The client as the login limit and first-run setup see it.
 * - Stamped peer, not a trusted proxy (or TRUST_PROXY unset): the peer itself. A loopback peer that
 *   relays forwarding headers is a proxy we were not told to trust, so it is not "this machine".
 * - Stamped peer that TRUST_PROXY names: the right-most untrusted X-Forwarded-For entry.
 * - No stamp (not served by the launcher): X-Forwarded-For only when TRUST_PROXY is set, since the
 *   operator says a proxy that appends it stands in front; otherwise unknown. Never loopback.
 */
export function resolveClient(headers: HeaderSource, opts: { secret: string; trustProxy: readonly string[] }): RequestClient {
  const trusted = blockList(opts.trustProxy);
  const forwardedFor = readHeader(headers, "x-forwarded-for");
  const peer = readPeer(headers, opts.secret);
  if (!peer) {
    const address = opts.trustProxy.length ? rightmostUntrusted(forwardedFor, trusted) : null;
    return { address, loopback: false };
  }
  if (peer.forwarded && opts.trustProxy.length && inList(trusted, peer.address)) {
    const address = rightmostUntrusted(forwardedFor, trusted);
    // The proxy sent no usable X-Forwarded-For: key on the proxy, but it vouches for no one.
    return address ? { address, loopback: isLoopbackAddress(address) } : { address: peer.address, loopback: false };
  }
  return { address: peer.address, loopback: !peer.forwarded && isLoopbackAddress(peer.address) };
}

export function clientFromHeaders(headers: HeaderSource): RequestClient {
  const env = getEnv();
  return resolveClient(headers, { secret: env.authSecret, trustProxy: env.trustProxy });
}
