import { describe, expect, it } from "vitest";
import { EMPTY_ALLOW_LIST, parseAllowList } from "@/lib/net/address-policy";
import { explainRefusal, OutboundBlockedError } from "@/lib/net/errors";
import { checkOutboundUrl, type HostLookup } from "@/lib/net/outbound";
import { validateWebhookUrl } from "@/lib/slack/webhook-url";
import { UserError } from "@/lib/errors";

// Pure checks: names are mapped by an injected lookup, and nothing here opens a socket.

const loopbackName: HostLookup = async () => [
  { address: "127.0.0.1", family: 4 },
  { address: "::1", family: 6 },
];
const toAddress =
  (address: string): HostLookup =>
  async () => [{ address, family: address.includes(":") ? 6 : 4 }];

async function refusal(promise: Promise<unknown>): Promise<OutboundBlockedError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundBlockedError);
  return err as OutboundBlockedError;
}

function webhookMessage(url: string, allow = EMPTY_ALLOW_LIST): string {
  try {
    validateWebhookUrl(url, allow);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const fields = (err as UserError).fieldErrors;
    expect(fields?.webhookUrl).toEqual([(err as Error).message]);
    return (err as Error).message;
  }
  throw new Error(`${url} was accepted`);
}

describe("explainRefusal", () => {
  it("says which host, why, and what to do", async () => {
    const err = await refusal(checkOutboundUrl("http://127.0.0.1:9/x", { allow: EMPTY_ALLOW_LIST }));
    // The guard's own reason is unchanged; the explanation is for the person who typed the URL.
    expect(err.message).toBe("address 127.0.0.1 is loopback and not allowed");
    expect(explainRefusal(err, "use a test channel")).toBe(
      "127.0.0.1:9 is a loopback address (this server itself) and not allowed. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or use a test channel.",
    );
    expect(explainRefusal(err)).toBe(
      "127.0.0.1:9 is a loopback address (this server itself) and not allowed. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS.",
    );
  });

  it.each([
    ["http://10.0.0.1/x", "10.0.0.1 is a private-network address and not allowed. Ask an admin"],
    ["http://[::1]:8080/x", "[::1]:8080 is a loopback address (this server itself) and not allowed. Ask an admin"],
    ["http://[fd00::1]/x", "[fd00::1] is a unique-local (fc00::/7) address and not allowed. Ask an admin"],
    ["http://0.0.0.0/x", "0.0.0.0 is an unspecified address and never allowed."],
    ["http://[::ffff:127.0.0.1]/x", "[::ffff:7f00:1] is an IPv4-mapped (127.0.0.1, loopback) address and not allowed. Ask an admin"],
  ])("%s", async (url, start) => {
    const err = await refusal(checkOutboundUrl(url, { allow: EMPTY_ALLOW_LIST }));
    expect(explainRefusal(err)).toMatch(new RegExp(`^${start.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  });

  it("never suggests the allow list for what it must not open", async () => {
    const err = await refusal(checkOutboundUrl("http://169.254.169.254/latest/meta-data", { allow: EMPTY_ALLOW_LIST }));
    const text = explainRefusal(err, "use a test channel");
    expect(text).toBe("169.254.169.254 is a cloud metadata endpoint and never allowed. Instead, use a test channel.");
    expect(text).not.toContain("OUTBOUND_ALLOW_HOSTS");
    // The path (which may hold a secret) is never part of it.
    expect(text).not.toContain("meta-data");
  });

  it("leaves refusals that are not about the address as they are", async () => {
    const err = await refusal(checkOutboundUrl("ftp://127.0.0.1/x", { allow: EMPTY_ALLOW_LIST }));
    expect(explainRefusal(err, "use a test channel")).toBe(err.message);
  });
});

describe("checkOutboundUrl: the registration-time check", () => {
  it("refuses localhost as it refuses 127.0.0.1, with the same words but for the host", async () => {
    const byName = await refusal(checkOutboundUrl("http://localhost:9/x", { allow: EMPTY_ALLOW_LIST, lookup: loopbackName }));
    const byAddress = await refusal(checkOutboundUrl("http://127.0.0.1:9/x", { allow: EMPTY_ALLOW_LIST, lookup: loopbackName }));
    expect(explainRefusal(byName).replace("localhost:9", "127.0.0.1:9")).toBe(explainRefusal(byAddress));
    // Whichever loopback address the name resolves to first, the answer is the same.
    const v6First: HostLookup = async () => [...(await loopbackName("localhost"))].reverse();
    const byV6 = await refusal(checkOutboundUrl("http://localhost:9/x", { allow: EMPTY_ALLOW_LIST, lookup: v6First }));
    expect(explainRefusal(byV6)).toBe(explainRefusal(byName));
  });

  it("refuses a name when any of its addresses is refused, and names the host as typed", async () => {
    const err = await refusal(checkOutboundUrl("https://db.internal/x.csv", { allow: EMPTY_ALLOW_LIST, lookup: toAddress("10.1.2.3") }));
    expect(err.message).toBe("host db.internal: address 10.1.2.3 is private and not allowed");
    expect(explainRefusal(err)).toMatch(/^db\.internal is a private-network address and not allowed\. Ask an admin/);
  });

  it("follows OUTBOUND_ALLOW_HOSTS exactly as the fetch does", async () => {
    const byIp = parseAllowList(["127.0.0.1:8080"]);
    expect((await checkOutboundUrl("http://127.0.0.1:8080/x", { allow: byIp, lookup: loopbackName })).port).toBe("8080");
    // An entry for the address opens that spelling only; the fetch would refuse localhost too.
    await refusal(checkOutboundUrl("http://localhost:8080/x", { allow: byIp, lookup: loopbackName }));
    await refusal(checkOutboundUrl("http://127.0.0.1:8081/x", { allow: byIp, lookup: loopbackName }));
    const byName = parseAllowList(["localhost:8080"]);
    expect((await checkOutboundUrl("http://localhost:8080/x", { allow: byName, lookup: loopbackName })).hostname).toBe("localhost");
    await refusal(checkOutboundUrl("http://localhost:8081/x", { allow: byName, lookup: loopbackName }));
  });

  it("accepts public names, and leaves names that do not resolve (in time) to the fetch", async () => {
    expect(
      (await checkOutboundUrl("https://example.com/a.csv", { allow: EMPTY_ALLOW_LIST, lookup: toAddress("93.184.215.14") })).host,
    ).toBe("example.com");
    const failing: HostLookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect((await checkOutboundUrl("https://nowhere.test/a.csv", { allow: EMPTY_ALLOW_LIST, lookup: failing })).host).toBe("nowhere.test");
    const hanging: HostLookup = () => new Promise(() => {});
    const started = Date.now();
    await checkOutboundUrl("https://slow.test/a.csv", { allow: EMPTY_ALLOW_LIST, lookup: hanging, timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("does not look up IP literals", async () => {
    const lookup: HostLookup = async () => {
      throw new Error("looked up");
    };
    expect((await checkOutboundUrl("http://93.184.215.14/a.csv", { allow: EMPTY_ALLOW_LIST, lookup })).hostname).toBe("93.184.215.14");
  });
});

describe("webhook URLs say what to do when refused", () => {
  it("names the host and points to OUTBOUND_ALLOW_HOSTS or a test channel", () => {
    expect(webhookMessage("http://127.0.0.1:9/services/T/B/secretpath")).toBe(
      "127.0.0.1:9 is a loopback address (this server itself) and not allowed. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or use a test channel.",
    );
    expect(webhookMessage("http://192.168.1.20/services/T/B/secretpath")).toBe(
      "192.168.1.20 is a private-network address and not allowed. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or use a test channel.",
    );
    expect(webhookMessage("http://localhost:9/services/T/B/secretpath")).toBe(
      "Only hooks.slack.com URLs are accepted; localhost:9 is not in OUTBOUND_ALLOW_HOSTS. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or use a test channel.",
    );
    for (const url of ["http://127.0.0.1:9/services/T/B/secretpath", "http://localhost:9/services/T/B/secretpath"]) {
      expect(webhookMessage(url)).not.toContain("secretpath");
    }
  });

  it("still accepts an allow-listed host and Slack", () => {
    expect(validateWebhookUrl("http://127.0.0.1:9/services/T/B/X", parseAllowList(["127.0.0.1:9"])).port).toBe("9");
    expect(validateWebhookUrl("https://hooks.slack.com/services/T/B/X", EMPTY_ALLOW_LIST).host).toBe("hooks.slack.com");
  });
});
