import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { isLoopbackAddress, normalizeAddress, PEER_HEADER, readPeer, resolveClient, stampPeer } from "@/lib/auth/client-address";

const SECRET = "s".repeat(48);

function stamped(peer: string, extra: Record<string, string> = {}): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = { ...extra };
  stampPeer(headers, peer, SECRET);
  return headers;
}

describe("client address", () => {
  it("normalizes addresses and knows loopback", () => {
    expect(normalizeAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeAddress("[::1]:443")).toBe("::1");
    expect(normalizeAddress("203.0.113.4:8080")).toBe("203.0.113.4");
    expect(normalizeAddress("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeAddress("not-an-ip")).toBeNull();
    expect(isLoopbackAddress("127.0.0.1")).toBe(true);
    expect(isLoopbackAddress("127.8.9.10")).toBe(true);
    expect(isLoopbackAddress("::1")).toBe(true);
    expect(isLoopbackAddress("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopbackAddress("10.0.0.1")).toBe(false);
    expect(isLoopbackAddress(null)).toBe(false);
  });

  it("replaces a stamp the client sent, and refuses forged or foreign-secret stamps", () => {
    const forged = { [PEER_HEADER]: "127.0.0.1;direct;AAAA" };
    expect(readPeer(forged, SECRET)).toBeNull();
    const headers: Record<string, string | string[] | undefined> = { ...forged };
    stampPeer(headers, "198.51.100.7", SECRET);
    expect(readPeer(headers, SECRET)).toEqual({ address: "198.51.100.7", forwarded: false });
    expect(readPeer(headers, "another secret, another install!")).toBeNull();
    // Re-using a real signature for another address does not work either.
    const [, mode, signature] = String(headers[PEER_HEADER]).split(";");
    expect(readPeer({ [PEER_HEADER]: `127.0.0.1;${mode};${signature}` }, SECRET)).toBeNull();
    // No socket address: no stamp at all.
    const none: Record<string, string | string[] | undefined> = { ...forged };
    stampPeer(none, undefined, SECRET);
    expect(none[PEER_HEADER]).toBeUndefined();
  });

  it("without TRUST_PROXY, X-Forwarded-For is ignored and forwarding headers cost a loopback peer its exemption", () => {
    const opts = { secret: SECRET, trustProxy: [] };
    expect(resolveClient(stamped("127.0.0.1"), opts)).toEqual({ address: "127.0.0.1", loopback: true });
    expect(resolveClient(stamped("198.51.100.7", { "x-forwarded-for": "127.0.0.1" }), opts)).toEqual({
      address: "198.51.100.7",
      loopback: false,
    });
    // A local reverse proxy nobody told us about: the real client is unknown, so not "this machine".
    expect(resolveClient(stamped("127.0.0.1", { "x-forwarded-for": "203.0.113.9" }), opts)).toEqual({
      address: "127.0.0.1",
      loopback: false,
    });
    // Not served by the launcher's server: nothing is known.
    expect(resolveClient({ "x-forwarded-for": "127.0.0.1" }, opts)).toEqual({ address: null, loopback: false });
  });

  it("with TRUST_PROXY, takes the right-most X-Forwarded-For entry that is not a trusted proxy", () => {
    const opts = { secret: SECRET, trustProxy: ["loopback", "10.0.0.0/8"] };
    const via = (xff: string) => resolveClient(stamped("127.0.0.1", { "x-forwarded-for": xff }), opts);
    expect(via("1.2.3.4, 203.0.113.9, 10.1.2.3")).toEqual({ address: "203.0.113.9", loopback: false });
    expect(via("127.0.0.1")).toEqual({ address: "127.0.0.1", loopback: true });
    // A hop that is no address was not written by our proxy: fall back to the proxy, vouching for no one.
    expect(via("203.0.113.9, garbage")).toEqual({ address: "127.0.0.1", loopback: false });
    // A peer that is not in the list gets no say.
    expect(resolveClient(stamped("198.51.100.7", { "x-forwarded-for": "127.0.0.1" }), opts)).toEqual({
      address: "198.51.100.7",
      loopback: false,
    });
    // Unstamped: the header is used (the operator says a proxy stands in front) but never as loopback.
    expect(resolveClient({ "x-forwarded-for": "198.51.100.1, 127.0.0.1" }, opts)).toEqual({ address: "198.51.100.1", loopback: false });
  });

  it("stamps what the socket says, over real HTTP", async () => {
    const server = http.createServer((req, res) => {
      stampPeer(req.headers, req.socket.remoteAddress, SECRET);
      res.end(JSON.stringify(resolveClient(req.headers, { secret: SECRET, trustProxy: [] })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const ask = async (headers: Record<string, string>) => (await fetch(`http://127.0.0.1:${port}/`, { headers })).json();
      expect(await ask({})).toEqual({ address: "127.0.0.1", loopback: true });
      expect(await ask({ [PEER_HEADER]: "10.0.0.1;direct;Zm9yZ2Vk" })).toEqual({ address: "127.0.0.1", loopback: true });
      expect(await ask({ "x-forwarded-for": "127.0.0.1" })).toEqual({ address: "127.0.0.1", loopback: false });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
