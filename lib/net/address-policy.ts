import ipaddr from "ipaddr.js";

/**
 * Which addresses an outbound request may connect to. Pure: no DNS, no sockets, so every
 * decision can be tested on its own and the same code runs at form validation and connect time.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export type AllowedHost = { readonly host: string; readonly port?: number };
export type AllowedRange = { readonly text: string; readonly network: Address; readonly prefix: number };
export type AllowList = { readonly hosts: readonly AllowedHost[]; readonly ranges: readonly AllowedRange[] };

/**
 * A refusal carries, beside its reason, what the address is (`label`: "loopback", "private",
 * "cloud metadata endpoint", …) and whether an OUTBOUND_ALLOW_HOSTS entry could open it, so a
 * form can say what to do about it without parsing the reason.
 */
export type AddressDecision = { allowed: true } | { allowed: false; reason: string; label: string; openable: boolean };

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
  deprecatedSiteLocal: "site-local (fec0::/10, deprecated)",
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
  // ipaddr.js reads "::a.b.c.d" as the IPv4-mapped "::ffff:a.b.c.d"; the socket layer reads it as
  // the IPv4-compatible ::a.b.c.d (what `new URL` and DNS give as "::7f00:1"). Read it that way too.
  const compat = /^::([0-9a-fx.]+\.[0-9a-fx]+)(%.*)?$/i.exec(text);
  if (compat && ipaddr.IPv4.isValid(compat[1]!)) {
    const [a, b, c, d] = ipaddr.IPv4.parse(compat[1]!).octets as [number, number, number, number];
    return ipaddr.parse(`::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${compat[2] ?? ""}`);
  }
  return ipaddr.parse(text);
}

export function isHostAllowed(allow: AllowList, host: string, port: number): boolean {
  const name = normalizeHostName(host);
  return allow.hosts.some((entry) => entry.host === name && (entry.port === undefined || entry.port === port));
}

/**
 * IPv6 forms that carry an IPv4 address, which some hop (the kernel's dual-stack socket, a NAT64
 * gateway, a 6to4 / Teredo relay, an ISATAP tunnel) turns into an IPv4 connection. Each is refused
 * unless the allow list covers the IPv6 address, and even then it is judged again by the IPv4
 * address it leads to: allow-listing, say, 64:ff9b::/96 for an IPv6-only host with DNS64 opens the
 * public IPv4 internet through NAT64, not 127.0.0.1 or the metadata endpoint through it.
 * 64:ff9b:1::/48 (local-use NAT64, RFC 8215) is not listed: where it puts the IPv4 address depends
 * on the operator's prefix length, so it cannot be judged by it and is plain non-public space.
 */
type EmbeddedIPv4 = { label: string; inner: ipaddr.IPv4[] };

function ipv4At(words: number[], at: number, xor = 0): ipaddr.IPv4 {
  const hi = words[at]! ^ xor;
  const lo = words[at + 1]! ^ xor;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function embeddedIPv4(addr: Address): EmbeddedIPv4 | undefined {
  if (addr.kind() !== "ipv6") return undefined;
  const v6 = addr as ipaddr.IPv6;
  const w = v6.parts;
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const range = v6.range();
  if (range === "ipv4Mapped") return { label: "IPv4-mapped", inner: [ipv4At(w, 6)] }; // ::ffff:0:0/96
  if (range === "rfc6145") return { label: "IPv4-translated", inner: [ipv4At(w, 6)] }; // ::ffff:0:0:0/96
  // ::/96 minus :: and ::1 (refused by their own ranges): IPv4-compatible, deprecated by RFC 4291.
  if (zeros(0, 6) && range !== "unspecified" && range !== "loopback") return { label: "IPv4-compatible", inner: [ipv4At(w, 6)] };
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return { label: "NAT64", inner: [ipv4At(w, 6)] }; // 64:ff9b::/96
  if (w[0] === 0x2002) return { label: "6to4", inner: [ipv4At(w, 1)] }; // 2002:V4ADDR::/48
  // Teredo 2001:0::/32: the server's IPv4 address, then the client's, stored inverted (RFC 4380).
  if (w[0] === 0x2001 && w[1] === 0) return { label: "Teredo", inner: [ipv4At(w, 6, 0xffff), ipv4At(w, 2)] };
  // ISATAP interface identifiers ::0:5efe:V4ADDR / ::200:5efe:V4ADDR (RFC 5214) under any prefix,
  // public ones included: the tunnel delivers to the IPv4 address.
  if ((w[4]! & 0xfcff) === 0 && w[5] === 0x5efe) return { label: "ISATAP", inner: [ipv4At(w, 6)] };
  return undefined;
}

/** ipaddr.js's range, except that IPv6 outside global unicast 2000::/3 is never "unicast". */
function rangeOf(addr: Address): string {
  const range = addr.range();
  if (range === "unicast" && addr.kind() === "ipv6" && ((addr as ipaddr.IPv6).parts[0]! & 0xe000) !== 0x2000) return "reserved";
  return range;
}

/**
 * Decides whether a connection to `ip` is allowed. Unspecified, broadcast and multicast are
 * refused whatever the allow list says; metadata endpoints open only to a range naming exactly
 * that address (a broad CIDR like 169.254.0.0/16 must not open them by accident); IPv6 forms
 * embedding an IPv4 address are refused unless allowed both as themselves and by that IPv4
 * address; any other address is allowed when it is public unicast or the allow list covers it.
 */
export function checkAddress(ip: string, allow: AllowList, target?: ConnectTarget): AddressDecision {
  const addr = parseAddress(ip);
  if (!addr) return { allowed: false, reason: `"${ip}" is not an IP address`, label: "not an IP address", openable: false };
  return decide(addr, ip, allow, target);
}

function decide(addr: Address, ip: string, allow: AllowList, target: ConnectTarget | undefined): AddressDecision {
  const range = rangeOf(addr);

  if (NEVER_ALLOWED.has(range)) {
    return { allowed: false, reason: `address ${ip} is ${rangeLabel(range)} and never allowed`, label: rangeLabel(range), openable: false };
  }
  if (isMetadata(addr)) {
    return coveredBy(addr, allow, target)
      ? { allowed: true }
      : {
          allowed: false,
          reason: `address ${ip} is a cloud metadata endpoint and not allowed`,
          label: "cloud metadata endpoint",
          // A host route naming exactly this address would open it, but that is never advice to give.
          openable: false,
        };
  }
  const embedded = embeddedIPv4(addr);
  if (embedded) {
    const inner = embedded.inner.map((v4) => ({ v4, decision: decide(v4, v4.toString(), allow, target) }));
    const describe = inner
      .map(({ v4 }) => {
        const innerRange = rangeOf(v4);
        return `${v4.toString()}${innerRange === "unicast" ? "" : `, ${rangeLabel(innerRange)}`}`;
      })
      .join("; ");
    if (!coveredBy(addr, allow, target)) {
      return {
        allowed: false,
        reason: `address ${ip} is ${embedded.label} (${describe}) and not allowed`,
        label: `${embedded.label} (${describe})`,
        openable: true,
      };
    }
    const refused = inner.find((i) => !i.decision.allowed);
    return refused
      ? {
          allowed: false,
          reason: `address ${ip} is ${embedded.label} (${describe}) and its IPv4 address is not allowed`,
          label: `${embedded.label} (${describe})`,
          openable: refused.decision.allowed === false && refused.decision.openable,
        }
      : { allowed: true };
  }
  if (range === "unicast" || coveredBy(addr, allow, target)) return { allowed: true };
  return { allowed: false, reason: `address ${ip} is ${rangeLabel(range)} and not allowed`, label: rangeLabel(range), openable: true };
}

/**
 * True when the allow list itself is what opens `ip` (a covering range or an allowed target host).
 * The outbound module names exactly these addresses to request-filtering-agent as exceptions, so
 * the agent's own refusal of non-public space stays independent of the rest of checkAddress.
 */
export function isCoveredByAllowList(ip: string, allow: AllowList, target?: ConnectTarget): boolean {
  const addr = parseAddress(ip);
  if (addr === undefined || NEVER_ALLOWED.has(rangeOf(addr)) || !coveredBy(addr, allow, target)) return false;
  // An embedded-IPv4 form is opened only where the IPv4 address it leads to is allowed too.
  return embeddedIPv4(addr) === undefined || checkAddress(ip, allow, target).allowed;
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
