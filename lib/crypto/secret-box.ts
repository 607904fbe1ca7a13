import crypto from "node:crypto";

/**
 * AES-256-GCM for secrets at rest (webhook URLs). Format: "v1:" + base64(iv(12) | tag(16) | data).
 * The version prefix leaves room for key rotation; the associated data binds a ciphertext to its
 * row, so a value copied into another row does not decrypt.
 */
const VERSION = "v1";

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

export function encryptSecret(plain: string, key: Buffer, associatedData: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64")}`;
}

export function decryptSecret(sealed: string, key: Buffer, associatedData: string): string {
  const [version, body] = sealed.split(":", 2);
  if (version !== VERSION || !body) throw new DecryptionError("unknown secret format");
  const raw = Buffer.from(body, "base64");
  if (raw.length < 29) throw new DecryptionError("secret is truncated");
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError("secret failed authentication (tampered, or another key)");
  }
}
