import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv, resolveListenHost } from "@/lib/env";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "rb-env-"));
}

describe("parseEnv", () => {
  it("runs with no configuration: embedded defaults and generated secrets kept with 0600", () => {
    const dir = tempDir();
    const env = parseEnv({ DATA_DIR: dir });
    expect(env.port).toBe(3000);
    expect(env.databaseUrl).toBeUndefined();
    expect(env.s3).toBeUndefined();
    expect(env.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(env.encryptionKey).toHaveLength(32);
    const file = path.join(dir, "secrets.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Generated once: a second process reads the same values.
    const again = parseEnv({ DATA_DIR: dir });
    expect(again.authSecret).toBe(env.authSecret);
    expect(again.encryptionKey.equals(env.encryptionKey)).toBe(true);
  });

  it("names the variable when a value is bad", () => {
    expect(() => parseEnv({ PORT: "http", DATA_DIR: tempDir() })).toThrow(/PORT/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x", DATA_DIR: tempDir() })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ ENCRYPTION_KEY: "c2hvcnQ=", DATA_DIR: tempDir() })).toThrow(/ENCRYPTION_KEY/);
  });

  it("refuses to start in production without explicit secrets, saying what to set", () => {
    const base = { NODE_ENV: "production", DATABASE_URL: "postgres://db/x", DATA_DIR: tempDir() };
    expect(() => parseEnv(base)).toThrow(ConfigError);
    expect(() => parseEnv(base)).toThrow(/AUTH_SECRET/);
    expect(() => parseEnv({ ...base, AUTH_SECRET: "x".repeat(31) })).toThrow(/at least 32/);
    expect(() => parseEnv({ ...base, AUTH_SECRET: "x".repeat(40) })).toThrow(/ENCRYPTION_KEY/);
    const ok = parseEnv({
      ...base,
      AUTH_SECRET: "x".repeat(40),
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    });
    expect(ok.encryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(fs.existsSync(path.join(base.DATA_DIR, "secrets.json"))).toBe(false);
  });

  it("configures S3 only with a bucket and paired keys", () => {
    const dir = tempDir();
    expect(() => parseEnv({ S3_ENDPOINT: "http://127.0.0.1:9000", DATA_DIR: dir })).toThrow(/S3_BUCKET/);
    expect(() => parseEnv({ S3_BUCKET: "b", S3_ACCESS_KEY_ID: "k", DATA_DIR: dir })).toThrow(/S3_SECRET_ACCESS_KEY/);
    const env = parseEnv({
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_BUCKET: "b",
      S3_ACCESS_KEY_ID: "k",
      S3_SECRET_ACCESS_KEY: "s",
      DATA_DIR: dir,
    });
    expect(env.s3).toMatchObject({ bucket: "b", region: "us-east-1", forcePathStyle: true });
  });

  it("listens on 127.0.0.1 unless HOST says otherwise", () => {
    expect(resolveListenHost({})).toBe("127.0.0.1");
    expect(resolveListenHost({ HOST: "  " })).toBe("127.0.0.1");
    expect(resolveListenHost({ HOST: "0.0.0.0" })).toBe("0.0.0.0");
    const dir = tempDir();
    expect(parseEnv({ DATA_DIR: dir }).host).toBe("127.0.0.1");
    expect(parseEnv({ DATA_DIR: dir, HOST: "" }).host).toBe("127.0.0.1");
    expect(parseEnv({ DATA_DIR: dir, HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(parseEnv({ DATA_DIR: dir, HOST: "::" }).host).toBe("::");
    expect(() => parseEnv({ DATA_DIR: dir, HOST: "http://x" })).toThrow(/HOST/);
  });

  it("trusts no proxy unless TRUST_PROXY lists it", () => {
    const dir = tempDir();
    expect(parseEnv({ DATA_DIR: dir }).trustProxy).toEqual([]);
    expect(parseEnv({ DATA_DIR: dir, TRUST_PROXY: " Loopback, 10.0.0.0/8 ,::1,192.0.2.7" }).trustProxy).toEqual([
      "loopback",
      "10.0.0.0/8",
      "::1",
      "192.0.2.7",
    ]);
    expect(() => parseEnv({ DATA_DIR: dir, TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
    expect(() => parseEnv({ DATA_DIR: dir, TRUST_PROXY: "10.0.0.0/33" })).toThrow(/TRUST_PROXY/);
  });
});
