import fs from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { getSql } from "@/db";
import { getEnv } from "@/lib/env";
import { stampPeer } from "@/lib/auth/client-address";
import { prepareSetupToken, setupTokenPath } from "@/lib/auth/setup-token";

// The server action reads the request's headers through next/headers; here they are whatever the
// test says the launcher's web server stamped.
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));
const { completeSetup } = await import("@/app/(auth)/setup/actions");

function from(peer: string | null, extra: Record<string, string> = {}): void {
  const headers: Record<string, string | string[] | undefined> = { ...extra };
  if (peer) stampPeer(headers, peer, getEnv().authSecret);
  request.headers = new Headers(headers as Record<string, string>);
}

function form(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) data.set(k, v);
  return data;
}

const ADMIN = { email: "first@example.com", name: "First", password: "correct horse battery", confirmPassword: "correct horse battery" };

async function userCount(): Promise<number> {
  const [row] = await getSql()<{ n: number }[]>`select count(*)::int as n from relayboard.users`;
  return row!.n;
}

describe("first-run setup token", () => {
  it("is issued by the launcher while no user exists, and the setup action enforces it", async () => {
    const dir = getEnv().dataDir;
    const token = await prepareSetupToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fs.statSync(setupTokenPath(dir)).mode & 0o777).toBe(0o600);

    // From another machine: no token, a wrong one, or a claim to be local that nothing vouches for.
    const attempts: [string | null, Record<string, string>, Record<string, string>][] = [
      ["203.0.113.9", {}, {}],
      ["203.0.113.9", {}, { setupToken: "not-the-token" }],
      [null, { "x-forwarded-for": "127.0.0.1" }, {}],
      ["127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, {}],
    ];
    for (const [peer, headers, extra] of attempts) {
      from(peer, headers);
      const result = await completeSetup({ ok: false }, form({ ...ADMIN, ...extra }));
      expect(result, JSON.stringify({ peer, headers, extra })).toMatchObject({ ok: false, status: 403 });
      expect(JSON.stringify(result)).not.toContain(token!);
    }
    expect(await userCount()).toBe(0);

    // From this machine no token is asked for: the form itself is what is checked next.
    from("127.0.0.1");
    expect(await completeSetup({ ok: false }, form({ email: "x" }))).toMatchObject({ ok: false, status: 400 });
    from("::1");
    expect(await completeSetup({ ok: false }, form({ email: "x" }))).toMatchObject({ ok: false, status: 400 });

    // The right token from elsewhere creates the admin, and the token is gone with setup.
    from("203.0.113.9");
    expect(await completeSetup({ ok: false }, form({ ...ADMIN, setupToken: token! }))).toEqual({ ok: true, data: { email: ADMIN.email } });
    expect(await userCount()).toBe(1);
    expect(fs.existsSync(setupTokenPath(dir))).toBe(false);
    expect(await completeSetup({ ok: false }, form({ ...ADMIN, setupToken: token! }))).toMatchObject({ ok: false, status: 409 });

    // The next start finds a user: no token, and none left on disk.
    fs.writeFileSync(setupTokenPath(dir), "stale\n", { mode: 0o600 });
    expect(await prepareSetupToken(dir)).toBeNull();
    expect(fs.existsSync(setupTokenPath(dir))).toBe(false);
  });
});
