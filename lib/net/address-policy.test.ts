import { describe, expect, it } from "vitest";
import { checkAddress, EMPTY_ALLOW_LIST, isCoveredByAllowList, isHostAllowed, parseAllowList } from "@/lib/net/address-policy";

const none = EMPTY_ALLOW_LIST;

function reasonFor(ip: string, allow = none): string {
  const decision = checkAddress(ip, allow);
  if (decision.allowed) throw new Error(`${ip} was allowed`);
  return decision.reason;
}

describe("checkAddress without an allow list", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["fc00::1", "unique-local"],
    ["fd00::1", "unique-local"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["64:ff9b::7f00:1", "NAT64"],
    ["2002:7f00:1::", "6to4"],
    ["2001:0:4136:e378::1", "Teredo"],
    ["fec0::1", "site-local"],
    ["::ffff:0:7f00:1", "IPv4-translated"],
  ])("refuses %s as %s", (ip, label) => {
    expect(reasonFor(ip)).toContain(label);
  });

  it("names the address and why in the reason", () => {
    expect(reasonFor("127.0.0.1")).toBe("address 127.0.0.1 is loopback and not allowed");
  });

  it("refuses IPv4-mapped IPv6 and says what it maps to", () => {
    expect(reasonFor("::ffff:127.0.0.1")).toBe("address ::ffff:127.0.0.1 is IPv4-mapped (127.0.0.1, loopback) and not allowed");
    expect(reasonFor("::ffff:7f00:1")).toContain("IPv4-mapped");
    expect(reasonFor("::ffff:10.0.0.1")).toContain("private");
    // Even a public address is refused in mapped form: nothing legitimate resolves to one.
    expect(reasonFor("::ffff:8.8.8.8")).toContain("IPv4-mapped (8.8.8.8)");
  });

  it("refuses cloud metadata endpoints, including unicast ones", () => {
    expect(reasonFor("169.254.169.254")).toContain("cloud metadata");
    expect(reasonFor("fd00:ec2::254")).toContain("cloud metadata");
    expect(reasonFor("FD00:EC2:0:0:0:0:0:254")).toContain("cloud metadata");
    expect(reasonFor("168.63.129.16")).toContain("cloud metadata");
    expect(reasonFor("100.100.100.200")).toContain("cloud metadata");
  });

  it("reads legacy numeric IPv4 forms as the address they mean", () => {
    expect(reasonFor("2130706433")).toContain("loopback");
    expect(reasonFor("0x7f.1")).toContain("loopback");
    expect(reasonFor("0177.0.0.1")).toContain("loopback");
    expect(reasonFor("0x7f000001")).toContain("loopback");
    expect(reasonFor("[::1]")).toContain("loopback");
  });

  it("refuses what is not an IP address", () => {
    expect(reasonFor("localhost")).toContain("not an IP address");
    expect(reasonFor("")).toContain("not an IP address");
    expect(reasonFor("1.2.3.4.5")).toContain("not an IP address");
  });

  it.each(["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1"])(
    "allows public unicast %s",
    (ip) => {
      expect(checkAddress(ip, none)).toEqual({ allowed: true });
    },
  );
});

describe("IPv6 forms that embed an IPv4 address, and deprecated IPv6 space", () => {
  it.each([
    ["::127.0.0.1", "IPv4-compatible (127.0.0.1, loopback)"],
    ["::7f00:1", "IPv4-compatible (127.0.0.1, loopback)"],
    ["::10.0.0.1", "IPv4-compatible (10.0.0.1, private)"],
    ["::169.254.169.254", "IPv4-compatible (169.254.169.254, link-local)"],
    ["::8.8.8.8", "IPv4-compatible (8.8.8.8)"],
    ["::0.1.2.3", "IPv4-compatible"],
    ["::ffff:0:0", "IPv4-mapped"],
    ["::ffff:0:127.0.0.1", "IPv4-translated (127.0.0.1, loopback)"],
    ["::ffff:0:8.8.8.8", "IPv4-translated (8.8.8.8)"],
    ["64:ff9b::127.0.0.1", "NAT64 (127.0.0.1, loopback)"],
    ["64:ff9b::8.8.8.8", "NAT64 (8.8.8.8)"],
    ["64:ff9b:1::1", "NAT64"],
    ["64:ff9b:1:ffff::7f00:1", "NAT64"],
    ["2002:a00:1::1", "6to4 (10.0.0.1, private)"],
    ["2002:808:808::1", "6to4 (8.8.8.8)"],
    // Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted (0x80ff:0xfffe).
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo (127.0.0.1, loopback; 65.54.227.120)"],
    ["2001:0:4136:e378::1", "Teredo"],
    ["2606:4700:4700::5efe:127.0.0.1", "ISATAP (127.0.0.1, loopback)"],
    ["2606:4700:4700::200:5efe:10.1.2.3", "ISATAP (10.1.2.3, private)"],
    ["fec0::1", "site-local"],
    ["feff:ffff::1", "site-local"],
    ["::1:0:0:1", "reserved"],
    ["0:1::1", "reserved"],
    ["100::1", "discard-only"],
    ["4000::1", "reserved"],
    ["5f00::1", "special-purpose"],
    ["2001:10::1", "special-purpose"],
    ["3fff::1", "reserved"],
  ])("refuses %s as %s", (ip, label) => {
    expect(reasonFor(ip)).toContain(label);
  });

  it("refuses every embedded form of the metadata endpoint, even under a broad allow list", () => {
    const broad = parseAllowList(["::/0", "0.0.0.0/0"]);
    for (const ip of [
      "::ffff:169.254.169.254",
      "::169.254.169.254",
      "::ffff:0:169.254.169.254",
      "64:ff9b::169.254.169.254",
      "2002:a9fe:a9fe::1",
      "2001:db8::5efe:169.254.169.254",
    ]) {
      expect(checkAddress(ip, broad).allowed, ip).toBe(false);
      expect(isCoveredByAllowList(ip, broad), ip).toBe(false);
    }
  });

  it("judges an allow-listed embedded form by the IPv4 address it leads to", () => {
    const nat64 = parseAllowList(["64:ff9b::/96"]);
    expect(checkAddress("64:ff9b::8.8.8.8", nat64)).toEqual({ allowed: true });
    expect(isCoveredByAllowList("64:ff9b::8.8.8.8", nat64)).toBe(true);
    expect(reasonFor("64:ff9b::127.0.0.1", nat64)).toContain("its IPv4 address is not allowed");
    expect(isCoveredByAllowList("64:ff9b::127.0.0.1", nat64)).toBe(false);
    expect(checkAddress("64:ff9b::10.0.0.1", parseAllowList(["64:ff9b::/96", "10.0.0.0/8"]))).toEqual({ allowed: true });
    expect(checkAddress("::ffff:224.0.0.1", parseAllowList(["::ffff:0:0/96"])).allowed).toBe(false);
  });

  it("still allows ordinary global unicast IPv6", () => {
    expect(checkAddress("2606:4700:4700::1111", none)).toEqual({ allowed: true });
    expect(checkAddress("2a00:1450:4001:82b::200e", none)).toEqual({ allowed: true });
    expect(checkAddress("2001:4860:4860::8888", none)).toEqual({ allowed: true });
  });
});

describe("the WHATWG URL parser", () => {
  it("normalises numeric host forms to dotted IPv4, so the literal check sees 127.0.0.1", () => {
    expect(new URL("http://2130706433/").hostname).toBe("127.0.0.1");
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://0177.0.0.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://127.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://127.0.0.1./").hostname).toBe("127.0.0.1");
    expect(new URL("http://[::ffff:127.0.0.1]/").hostname).toBe("[::ffff:7f00:1]");
  });
});

describe("parseAllowList", () => {
  it("reads hosts, host:port, bare IPs and CIDRs", () => {
    const allow = parseAllowList(["Data.Internal", "csv.internal:8443", "[::1]:9000", "10.0.0.0/8", "::1/128", "127.0.0.1", "fd12::7"]);
    expect(allow.hosts).toEqual([{ host: "data.internal" }, { host: "csv.internal", port: 8443 }, { host: "::1", port: 9000 }]);
    expect(allow.ranges.map((r) => r.text)).toEqual(["10.0.0.0/8", "::1/128", "127.0.0.1/32", "fd12::7/128"]);
  });

  it("skips blanks and rejects what it cannot read", () => {
    expect(parseAllowList(["", "  "])).toEqual({ hosts: [], ranges: [] });
    expect(() => parseAllowList(["10.0.0.0/33"])).toThrow(/not a valid CIDR/);
    expect(() => parseAllowList(["host:99999"])).toThrow(/port/);
    expect(() => parseAllowList(["*.example.com"])).toThrow(/wildcards/);
    expect(() => parseAllowList(["user@host"])).toThrow(/expected host/);
    expect(() => parseAllowList(["http://host"])).toThrow(/not a URL/);
  });

  it("matches host entries by name and, when given, port", () => {
    const allow = parseAllowList(["a.internal", "b.internal:8080"]);
    expect(isHostAllowed(allow, "A.internal.", 443)).toBe(true);
    expect(isHostAllowed(allow, "b.internal", 8080)).toBe(true);
    expect(isHostAllowed(allow, "b.internal", 80)).toBe(false);
    expect(isHostAllowed(allow, "c.internal", 80)).toBe(false);
  });
});

describe("checkAddress with an allow list", () => {
  it("allows addresses inside an allowed CIDR only", () => {
    const allow = parseAllowList(["10.0.0.0/8", "::1/128"]);
    expect(checkAddress("10.1.2.3", allow)).toEqual({ allowed: true });
    expect(checkAddress("::1", allow)).toEqual({ allowed: true });
    expect(checkAddress("192.168.0.1", allow).allowed).toBe(false);
    expect(checkAddress("127.0.0.1", allow).allowed).toBe(false);
  });

  it("lets an allowed host reach private space, on its port only when one is named", () => {
    const allow = parseAllowList(["db.internal:5000", "files.internal"]);
    expect(checkAddress("10.0.0.5", allow, { host: "db.internal", port: 5000 })).toEqual({ allowed: true });
    expect(checkAddress("10.0.0.5", allow, { host: "db.internal", port: 5001 }).allowed).toBe(false);
    expect(checkAddress("127.0.0.1", allow, { host: "files.internal", port: 1234 })).toEqual({ allowed: true });
    expect(checkAddress("10.0.0.5", allow, { host: "other.internal", port: 5000 }).allowed).toBe(false);
  });

  it("never opens unspecified, broadcast or multicast, whatever the list says", () => {
    const allow = parseAllowList(["0.0.0.0/0", "::/0", "weird.internal"]);
    const target = { host: "weird.internal", port: 80 };
    expect(reasonFor("0.0.0.0", allow)).toContain("never allowed");
    expect(checkAddress("::", allow, target).allowed).toBe(false);
    expect(checkAddress("255.255.255.255", allow, target).allowed).toBe(false);
    expect(checkAddress("239.1.1.1", allow, target).allowed).toBe(false);
    expect(checkAddress("10.0.0.1", allow)).toEqual({ allowed: true });
  });

  it("opens a metadata address only to an entry naming exactly that address", () => {
    expect(checkAddress("169.254.169.254", parseAllowList(["169.254.0.0/16"])).allowed).toBe(false);
    expect(checkAddress("169.254.169.254", parseAllowList(["0.0.0.0/0"])).allowed).toBe(false);
    const host = parseAllowList(["meta.internal"]);
    expect(checkAddress("169.254.169.254", host, { host: "meta.internal", port: 80 }).allowed).toBe(false);
    expect(checkAddress("169.254.169.254", parseAllowList(["169.254.169.254"]))).toEqual({ allowed: true });
    expect(checkAddress("169.254.1.1", parseAllowList(["169.254.0.0/16"]))).toEqual({ allowed: true });
  });
});
