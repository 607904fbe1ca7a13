import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { assertMaySetUp, deleteSetupToken, issueSetupToken, setupTokenMatches, setupTokenPath } from "@/lib/auth/setup-token";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "rb-setup-token-"));
}

const remote = { address: "203.0.113.9", loopback: false };
const local = { address: "127.0.0.1", loopback: true };

afterEach(() => vi.restoreAllMocks());

describe("setup token", () => {
  it("is random, kept in DATA_DIR with mode 0600, and replaced on each issue", () => {
    const dir = tempDir();
    const first = issueSetupToken(dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fs.statSync(setupTokenPath(dir)).mode & 0o777).toBe(0o600);
    const second = issueSetupToken(dir);
    expect(second).not.toBe(first);
    expect(setupTokenMatches(dir, second)).toBe(true);
    expect(setupTokenMatches(dir, first)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(["setup-token"]);
  });

  it("is compared in constant time, whatever the length given", () => {
    const dir = tempDir();
    const token = issueSetupToken(dir);
    const compare = vi.spyOn(crypto, "timingSafeEqual");
    expect(setupTokenMatches(dir, token)).toBe(true);
    expect(setupTokenMatches(dir, ` ${token}\n`)).toBe(true);
    expect(setupTokenMatches(dir, token.slice(0, -1))).toBe(false);
    expect(setupTokenMatches(dir, `${token}x`)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(4);
    expect(setupTokenMatches(dir, "")).toBe(false);
    expect(setupTokenMatches(dir, undefined)).toBe(false);
  });

  it("lets loopback clients through without one and refuses everyone else without the right one", () => {
    const dir = tempDir();
    expect(() => assertMaySetUp(local, undefined, dir)).not.toThrow();
    // No token issued (not started by the launcher): nobody from elsewhere gets in.
    expect(() => assertMaySetUp(remote, "anything", dir)).toThrow(expect.objectContaining({ status: 403 }));
    const token = issueSetupToken(dir);
    expect(() => assertMaySetUp(remote, undefined, dir)).toThrow(
      expect.objectContaining({ status: 403, fieldErrors: { setupToken: [expect.any(String)] } }),
    );
    expect(() => assertMaySetUp(remote, "   ", dir)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => assertMaySetUp(remote, "wrong", dir)).toThrow(/not valid/);
    expect(() => assertMaySetUp(remote, token, dir)).not.toThrow();
    // The error never carries the token.
    try {
      assertMaySetUp(remote, "wrong", dir);
    } catch (err) {
      expect(JSON.stringify({ message: (err as Error).message, ...(err as object) })).not.toContain(token);
    }
    deleteSetupToken(dir);
    expect(fs.existsSync(setupTokenPath(dir))).toBe(false);
    expect(() => assertMaySetUp(remote, token, dir)).toThrow(expect.objectContaining({ status: 403 }));
  });
});
