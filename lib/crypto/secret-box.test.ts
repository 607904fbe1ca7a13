import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, DecryptionError, encryptSecret } from "@/lib/crypto/secret-box";

const key = crypto.randomBytes(32);

describe("secret box", () => {
  it("round-trips and never stores the plain text", () => {
    const url = "https://hooks.slack.com/services/T000/B000/abcdefSECRET";
    const sealed = encryptSecret(url, key, "row-1");
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain("SECRET");
    expect(encryptSecret(url, key, "row-1")).not.toBe(sealed); // random IV
    expect(decryptSecret(sealed, key, "row-1")).toBe(url);
  });

  it("refuses a tampered ciphertext, another row, or another key", () => {
    const sealed = encryptSecret("https://hooks.slack.com/services/x", key, "row-1");
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1] ^= 1;
    expect(() => decryptSecret(`v1:${raw.toString("base64")}`, key, "row-1")).toThrow(DecryptionError);
    expect(() => decryptSecret(sealed, key, "row-2")).toThrow(DecryptionError);
    expect(() => decryptSecret(sealed, crypto.randomBytes(32), "row-1")).toThrow(DecryptionError);
    expect(() => decryptSecret("v2:abc", key, "row-1")).toThrow(/format/);
  });
});
