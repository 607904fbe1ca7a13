import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getSql } from "@/db";
import { getEnv, resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { getAuthOptions } from "@/lib/auth/options";
import { stampPeer } from "@/lib/auth/client-address";
import { attemptLogin, LOGIN_LIMIT, LOGIN_LIMITED_ERROR } from "@/lib/auth/login-limit";
import { verifyPassword } from "@/lib/auth/passwords";

// Counts the password checks: the limit must refuse before one happens.
vi.mock("@/lib/auth/passwords", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/auth/passwords")>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});
const checks = vi.mocked(verifyPassword);

const PASSWORD = "correct horse battery";

type Authorize = (credentials: unknown, req: unknown) => Promise<unknown>;
function authorize(): Authorize {
  return (getAuthOptions().providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;
}

/** Request headers as next-auth hands them to authorize(): stamped by the launcher's server when `peer` is given. */
function request(opts: { peer?: string; forwardedFor?: string }): { headers: Record<string, string | string[] | undefined> } {
  const headers: Record<string, string | string[] | undefined> = {};
  if (opts.forwardedFor) headers["x-forwarded-for"] = opts.forwardedFor;
  if (opts.peer) stampPeer(headers, opts.peer, getEnv().authSecret);
  return { headers };
}

/** null: refused (a wrong password), "user": signed in, "limited": the limit refused without checking. */
async function signIn(email: string, password: string, req: unknown): Promise<"user" | null | "limited"> {
  try {
    return (await authorize()({ email, password }, req)) ? "user" : null;
  } catch (err) {
    if ((err as Error).message === LOGIN_LIMITED_ERROR) return "limited";
    throw err;
  }
}

async function checkedAttempts(email: string): Promise<{ succeeded: boolean; ip: string }[]> {
  return getSql()<
    { succeeded: boolean; ip: string }[]
  >`select succeeded, ip from relayboard.login_attempts where email = ${email} order by id`;
}

beforeAll(async () => {
  for (const name of ["rotate", "roam", "parallel", "other", "give-back"]) {
    await createUser({ email: `${name}@example.com`, password: PASSWORD, role: "viewer" });
  }
});

afterEach(() => {
  delete process.env.TRUST_PROXY;
  resetEnvForTests();
});

describe("login limit", () => {
  it("ignores X-Forwarded-For without TRUST_PROXY: a new value per guess does not escape the limit", async () => {
    checks.mockClear();
    for (let i = 0; i < LOGIN_LIMIT.maxFailures; i++) {
      // Served the way the launcher does it, from one peer, and not through it at all (no stamp).
      const req = request({ peer: i % 2 ? "198.51.100.20" : undefined, forwardedFor: `203.0.113.${i + 1}` });
      expect(await signIn("rotate@example.com", "wrong password!", req)).toBeNull();
    }
    expect(await signIn("rotate@example.com", "wrong password!", request({ forwardedFor: "192.0.2.99" }))).toBe("limited");
    expect(await signIn("rotate@example.com", PASSWORD, request({ peer: "198.51.100.20", forwardedFor: "192.0.2.100" }))).toBe("limited");
    expect(checks).toHaveBeenCalledTimes(LOGIN_LIMIT.maxFailures);
    // What was recorded is the peer (or nothing known), never the client's own header.
    const ips = new Set((await checkedAttempts("rotate@example.com")).map((a) => a.ip));
    expect([...ips].sort()).toEqual(["198.51.100.20", "unknown"]);
  });

  it("counts per account across addresses, and leaves other accounts alone", async () => {
    for (let i = 0; i < LOGIN_LIMIT.maxFailures; i++) {
      expect(await signIn("roam@example.com", "wrong password!", request({ peer: `198.51.100.${100 + i}` }))).toBeNull();
    }
    checks.mockClear();
    // A fresh address, and then the right password: both refused before any check.
    expect(await signIn("roam@example.com", "wrong password!", request({ peer: "192.0.2.1" }))).toBe("limited");
    expect(await signIn("roam@example.com", PASSWORD, request({ peer: "192.0.2.2" }))).toBe("limited");
    expect(checks).not.toHaveBeenCalled();
    expect(await signIn("other@example.com", PASSWORD, request({ peer: "198.51.100.100" }))).toBe("user");
  });

  it("checks at most 10 of 16 parallel wrong passwords for one account", async () => {
    checks.mockClear();
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        signIn("parallel@example.com", `wrong password ${i}`, request({ peer: `198.51.100.${200 + i}` })),
      ),
    );
    expect(results.filter((r) => r === null)).toHaveLength(LOGIN_LIMIT.maxFailures);
    expect(results.filter((r) => r === "limited")).toHaveLength(16 - LOGIN_LIMIT.maxFailures);
    expect(checks).toHaveBeenCalledTimes(LOGIN_LIMIT.maxFailures);
    expect(await checkedAttempts("parallel@example.com")).toHaveLength(LOGIN_LIMIT.maxFailures);
    const [row] = await getSql()<
      { n: number }[]
    >`select cardinality(failures) as n from relayboard.login_throttle where key = 'email:parallel@example.com'`;
    expect(row?.n).toBe(LOGIN_LIMIT.maxFailures);
  });

  it("caps one address across accounts by its peer, and believes X-Forwarded-For only from TRUST_PROXY", async () => {
    const peer = "192.0.2.44";
    const wrong = async () => false;
    for (let i = 0; i < LOGIN_LIMIT.maxFailuresPerIp; i++) {
      expect(await attemptLogin({ email: `spray${i}@example.com`, ip: peer }, wrong)).toBe("failed");
    }
    // Through authorize(): a forged X-Forwarded-For from that peer changes nothing...
    expect(await signIn("fresh@example.com", "wrong password!", request({ peer, forwardedFor: "203.0.113.77" }))).toBe("limited");
    // ...until the operator names the peer as its proxy: then the entry it appended is the client.
    process.env.TRUST_PROXY = peer;
    resetEnvForTests();
    expect(await signIn("fresh@example.com", "wrong password!", request({ peer, forwardedFor: "10.9.9.9, 203.0.113.77" }))).toBeNull();
    expect((await checkedAttempts("fresh@example.com")).map((a) => a.ip)).toEqual(["203.0.113.77"]);
  });

  it("gives a success's slot back, and the window slides", async () => {
    const key = { email: "give-back@example.com", ip: "203.0.113.9" };
    const now = new Date();
    for (let i = 0; i < LOGIN_LIMIT.maxFailures - 1; i++) expect(await attemptLogin(key, async () => false, now)).toBe("failed");
    expect(await attemptLogin(key, async () => true, now)).toBe("succeeded");
    expect(await attemptLogin(key, async () => false, now)).toBe("failed");
    const check = vi.fn(async () => true);
    expect(await attemptLogin(key, check, now)).toBe("limited");
    expect(check).not.toHaveBeenCalled();
    // 16 minutes later the failures have aged out.
    expect(await attemptLogin(key, check, new Date(now.getTime() + 16 * 60_000))).toBe("succeeded");
  });
});
