import ipaddr from "ipaddr.js";

/**
 * Which addresses an outbound request may connect to. Pure: no DNS, no sockets, so every
 * decision can be tested on its own and the same code runs at form validation and connect time.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export type AllowedHost = { readonly host: string; readonly port?: number };
export type AllowedRange = { readonly text: string; readonly network: Address; readonly prefix: number };
export type AllowList = { readonly hosts: readonly AllowedHost[]; readonly ranges: readonly AllowedRange[] };

export type AddressDecision = { allowed: true } | { allowed: false; reason: string };

/** The host and effective port a connection is for; lets an allow-listed name reach private space. */
export type ConnectTarget = { host: string; port: number };

export const EMPTY_ALLOW_LIST: AllowList = { hosts: [], ranges: [] };

// These are never a real destination for a fetch, so no allow-list entry can open them.
const NEVER_ALLOWED = new Set(["unspecified", "broadcast", "multicast"]);

// Credential endpoints of cloud providers. Some are plain unicast (Azure's wire server), so the
// range check alone would let them through.
const METADATA_ADDRESSES: readonly Address[] = [
  "169.254.169.254", // AWS, GCP, Azure, OpenStack, DigitalOcean
  "fd00:ec2::254", // AWS over IPv6
  "169.254.170.2", // AWS ECS task credentials
  "100.100.100.200", // Alibaba Cloud
  "168.63.129.16", // Azure wire server
].map((a) => ipaddr.parse(a));

export const METADATA_ADDRESS_TEXTS: readonly string[] = METADATA_ADDRESSES.map((a) => a.toString());

const RANGE_LABELS: Record<string, string> = {
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "carrier-grade NAT (100.64.0.0/10)",
  private: "private",
  reserved: "reserved",
  uniqueLocal: "unique-local (fc00::/7)",
  ipv4Mapped: "IPv4-mapped",
  rfc6145: "IPv4-translated",
  rfc6052: "NAT64",
  "6to4": "6to4",
  teredo: "Teredo",
  deprecatedSiteLocal: "site-local",
  discard: "discard-only",
};

function rangeLabel(range: string): string {
  return RANGE_LABELS[range] ?? `special-purpose (${range})`;
}

function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

function inRange(addr: Address, range: AllowedRange): boolean {
  // ipaddr.js throws when kinds differ; an IPv4 range simply does not contain an IPv6 address.
  return addr.kind() === range.network.kind() && addr.match(range.network, range.prefix);
}

function parseAddress(ip: string): Address | undefined {
  const text = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  // ipaddr.parse also accepts the legacy numeric forms (2130706433, 0x7f.1, 0177.0.0.1), which
  // is what we want: whatever the resolver or URL parser might turn into 127.0.0.1 is checked as such.
  if (!ipaddr.isValid(text)) return undefined;
  return ipaddr.parse(text);
}

export function isHostAllowed(allow: AllowList, host: string, port: number): boolean {
  const name = normalizeHostName(host);
  return allow.hosts.some((entry) => entry.host === name && (entry.port === undefined || entry.port === port));
}

/**
 * Decides whether a connection to `ip` is allowed. Unspecified, broadcast and multicast are
 * refused whatever the allow list says; metadata endpoints open only to a range naming exactly
 * that address (a broad CIDR like 169.254.0.0/16 must not open them by accident); any other
 * address is allowed when it is public unicast or the allow list covers it.
 */
export function checkAddress(ip: string, allow: AllowList, target?: ConnectTarget): AddressDecision {
  const addr = parseAddress(ip);
  if (!addr) return { allowed: false, reason: `"${ip}" is not an IP address` };
  const range = addr.range();

  if (NEVER_ALLOWED.has(range)) {
    return { allowed: false, reason: `address ${ip} is ${rangeLabel(range)} and never allowed` };
  }
  if (isMetadata(addr)) {
    return coveredBy(addr, allow, target)
      ? { allowed: true }
      : { allowed: false, reason: `address ${ip} is a cloud metadata endpoint and not allowed` };
  }
  if (range === "unicast" || coveredBy(addr, allow, target)) return { allowed: true };

  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    const inner = (addr as ipaddr.IPv6).toIPv4Address();
    const innerRange = inner.range();
    const what = innerRange === "unicast" ? "" : `, ${rangeLabel(innerRange)}`;
    return { allowed: false, reason: `address ${ip} is IPv4-mapped (${inner.toString()}${what}) and not allowed` };
  }
  return { allowed: false, reason: `address ${ip} is ${rangeLabel(range)} and not allowed` };
}

/**
 * True when the allow list itself is what opens `ip` (a covering range or an allowed target host).
 * The outbound module names exactly these addresses to request-filtering-agent as exceptions, so
 * the agent's own refusal of non-public space stays independent of the rest of checkAddress.
 */
export function isCoveredByAllowList(ip: string, allow: AllowList, target?: ConnectTarget): boolean {
  const addr = parseAddress(ip);
  return addr !== undefined && !NEVER_ALLOWED.has(addr.range()) && coveredBy(addr, allow, target);
}

function coveredBy(addr: Address, allow: AllowList, target: ConnectTarget | undefined): boolean {
  if (isMetadata(addr)) {
    const hostRoutePrefix = addr.kind() === "ipv4" ? 32 : 128;
    return allow.ranges.some((r) => r.prefix === hostRoutePrefix && inRange(addr, r));
  }
  if (allow.ranges.some((r) => inRange(addr, r))) return true;
  return target !== undefined && isHostAllowed(allow, target.host, target.port);
}

function isMetadata(addr: Address): boolean {
  return METADATA_ADDRESSES.some((m) => sameAddress(m, addr));
}

/** Lower-cases, drops IPv6 brackets and a trailing root dot, so "Example.COM." matches "example.com". */
export function normalizeHostName(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1);
  return h;
}

function hostRoute(addr: Address): AllowedRange {
  const prefix = addr.kind() === "ipv4" ? 32 : 128;
  return { text: `${addr.toString()}/${prefix}`, network: addr, prefix };
}

const HOST_PORT = /^(\[[^\]\s]+\]|[^:[\]/@?#\s]+)(?::(\d{1,5}))?$/;

/**
 * Parses OUTBOUND_ALLOW_HOSTS entries: `host`, `host:port`, `[v6]:port`, a bare IP (taken as a
 * host route) or a CIDR. Throws on an entry it cannot read: a typo in a security setting should
 * stop the request rather than silently allow or deny something else.
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const hosts: AllowedHost[] = [];
  const ranges: AllowedRange[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "") continue;
    const invalid = (why: string) => new Error(`invalid outbound allow-list entry "${entry}": ${why}`);

    if (entry.includes("://")) throw invalid("expected host, host:port or a CIDR, not a URL");
    if (entry.includes("/")) {
      let parsed: [Address, number];
      try {
        parsed = ipaddr.parseCIDR(entry);
      } catch {
        throw invalid("not a valid CIDR");
      }
      ranges.push({ text: entry, network: parsed[0], prefix: parsed[1] });
      continue;
    }

    if (entry.startsWith("*")) throw invalid("wildcards are not supported; list each host name");

    // A bare IPv6 address has colons, so it cannot go through the host:port pattern.
    if (!entry.startsWith("[") && entry.includes(":") && ipaddr.IPv6.isValid(entry)) {
      ranges.push(hostRoute(ipaddr.parse(entry)));
      continue;
    }

    const match = HOST_PORT.exec(entry);
    if (!match) throw invalid("expected host, host:port or a CIDR");
    let host: string;
    try {
      // The WHATWG parser gives the same canonical form (punycode, dotted IPv4) that request URLs get.
      host = normalizeHostName(new URL(`http://${match[1]}`).hostname);
    } catch {
      throw invalid("not a valid host name");
    }
    if (match[2] === undefined) {
      if (ipaddr.isValid(host)) {
        ranges.push(hostRoute(ipaddr.parse(host)));
      } else {
        hosts.push({ host });
      }
      continue;
    }
    const port = Number(match[2]);
    if (port < 1 || port > 65535) throw invalid("port must be 1-65535");
    hosts.push({ host, port });
  }
  return { hosts, ranges };
}
