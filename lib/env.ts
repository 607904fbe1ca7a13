import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import net from "node:net";
import { z } from "zod";
import { setDatabaseSettingsSource } from "@/db/settings";

/**
 * The one place that reads process.env. Everything else asks getEnv().
 * Parsed once per process; a bad value stops start-up with a message naming the variable.
 */

const boolish = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const rawEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  SANDBOX_DATABASE_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  ADMIN_DATABASE_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  DATA_DIR: z.string().min(1).default("./.data"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)$/, "must be an IP address or a host name, such as 0.0.0.0")
      .optional(),
  ),
  TRUST_PROXY: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine(
      (entries) => entries.every(isTrustProxyEntry),
      "must be a comma-separated list of IP addresses, CIDR ranges or the word loopback",
    ),
  APP_URL: optionalNonEmpty.pipe(z.string().url().optional()),
  AUTH_SECRET: optionalNonEmpty,
  ENCRYPTION_KEY: optionalNonEmpty,
  S3_ENDPOINT: optionalNonEmpty.pipe(z.string().url().optional()),
  S3_BUCKET: optionalNonEmpty,
  S3_REGION: optionalNonEmpty,
  S3_ACCESS_KEY_ID: optionalNonEmpty,
  S3_SECRET_ACCESS_KEY: optionalNonEmpty,
  S3_FORCE_PATH_STYLE: optionalNonEmpty.pipe(boolish.optional()),
  MAX_SOURCE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 ** 3),
  OUTBOUND_ALLOW_HOSTS: z.string().default(""),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(8 * 60 * 60),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(300).default(25),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).optional(),
  MODEL_STATEMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  METRICS_TOKEN: optionalNonEmpty.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  RELAYBOARD_NATIVE_SCAN: optionalNonEmpty.pipe(z.enum(["auto", "off"]).default("auto")),
});

export type S3Config = {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
};

export type AppEnv = {
  nodeEnv: "development" | "production" | "test";
  databaseUrl?: string;
  /** The sandbox role's own login for user SQL; derived from databaseUrl when unset. */
  sandboxDatabaseUrl?: string;
  /** A superuser (or CREATEROLE) login used only at start to provision roles; never by the app. */
  adminDatabaseUrl?: string;
  dataDir: string;
  port: number;
  /** The address the launcher's web server listens on (HOST); 127.0.0.1 unless set. */
  host: string;
  /**
   * Proxies whose X-Forwarded-For is believed (TRUST_PROXY): IPs, CIDRs or "loopback". Empty:
   * the header is ignored and the client is the connection's own peer.
   */
  trustProxy: string[];
  appUrl: string;
  authSecret: string;
  encryptionKey: Buffer;
  s3?: S3Config;
  maxSourceBytes: number;
  outboundAllowHosts: string[];
  logLevel: string;
  sessionMaxAgeSeconds: number;
  workerShutdownGraceSeconds: number;
  embeddedPgPort?: number;
  modelStatementTimeoutMs: number;
  /** GET /metrics is served only when set, to callers presenting it as a Bearer token. */
  metricsToken?: string;
  /**
   * RELAYBOARD_NATIVE_SCAN: "auto" uses the native CSV record scanner (native/) when it is
   * built; "off" uses the TypeScript scanner alone (lib/csv/native-scan.ts).
   */
  nativeCsvScan: "auto" | "off";
};

/** Where the web server listens when HOST is unset: this machine only, never every interface. */
export const DEFAULT_LISTEN_HOST = "127.0.0.1";

export function resolveListenHost(env: { HOST?: string | undefined }): string {
  const host = env.HOST?.trim();
  return host ? host : DEFAULT_LISTEN_HOST;
}

function isTrustProxyEntry(entry: string): boolean {
  if (entry === "loopback") return true;
  const [address, prefix, ...rest] = entry.split("/");
  const family = net.isIP(address ?? "");
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type GeneratedSecrets = { authSecret: string; encryptionKey: string };

/** Reads DATA_DIR/secrets.json, creating it once (0600) with strong random values. */
export function loadOrCreateGeneratedSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, "secrets.json");
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as GeneratedSecrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const secrets: GeneratedSecrets = {
    authSecret: crypto.randomBytes(48).toString("base64url"),
    encryptionKey: crypto.randomBytes(32).toString("base64"),
  };
  // Write-then-link so that two processes starting together agree on one file.
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, JSON.stringify(secrets), { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    fs.unlinkSync(tmp);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as GeneratedSecrets;
}

function decodeEncryptionKey(value: string, variable: string): Buffer {
  const key = Buffer.from(value, "base64");
  if (key.length !== 32) {
    throw new ConfigError(`${variable} must be 32 random bytes in base64 (as \`openssl rand -base64 32\` prints); got ${key.length} bytes`);
  }
  return key;
}

export function parseEnv(source: Record<string, string | undefined>): AppEnv {
  const parsed = rawEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`).join("; ");
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const raw = parsed.data;
  const dataDir = path.resolve(raw.DATA_DIR);
  const production = raw.NODE_ENV === "production" && raw.DATABASE_URL !== undefined;

  if (production) {
    if (!raw.AUTH_SECRET || raw.AUTH_SECRET.length < 32) {
      throw new ConfigError(
        "AUTH_SECRET must be set to at least 32 characters in production (NODE_ENV=production with DATABASE_URL); generate one with `openssl rand -base64 48`",
      );
    }
    if (!raw.ENCRYPTION_KEY) {
      throw new ConfigError(
        "ENCRYPTION_KEY must be set in production (NODE_ENV=production with DATABASE_URL); generate one with `openssl rand -base64 32`",
      );
    }
  }
  if (raw.AUTH_SECRET && raw.AUTH_SECRET.length < 32) {
    throw new ConfigError("AUTH_SECRET must be at least 32 characters");
  }

  let authSecret = raw.AUTH_SECRET;
  let encryptionKey = raw.ENCRYPTION_KEY ? decodeEncryptionKey(raw.ENCRYPTION_KEY, "ENCRYPTION_KEY") : undefined;
  if (!authSecret || !encryptionKey) {
    const generated = loadOrCreateGeneratedSecrets(dataDir);
    authSecret ??= generated.authSecret;
    encryptionKey ??= decodeEncryptionKey(generated.encryptionKey, `${dataDir}/secrets.json encryptionKey`);
  }

  let s3: S3Config | undefined;
  const s3Vars = [raw.S3_ENDPOINT, raw.S3_BUCKET, raw.S3_ACCESS_KEY_ID, raw.S3_SECRET_ACCESS_KEY];
  if (s3Vars.some((v) => v !== undefined)) {
    if (!raw.S3_BUCKET) throw new ConfigError("S3_BUCKET must be set when any S3_* variable is set");
    if (Boolean(raw.S3_ACCESS_KEY_ID) !== Boolean(raw.S3_SECRET_ACCESS_KEY)) {
      throw new ConfigError("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together");
    }
    s3 = {
      endpoint: raw.S3_ENDPOINT,
      bucket: raw.S3_BUCKET,
      region: raw.S3_REGION ?? "us-east-1",
      accessKeyId: raw.S3_ACCESS_KEY_ID,
      secretAccessKey: raw.S3_SECRET_ACCESS_KEY,
      forcePathStyle: raw.S3_FORCE_PATH_STYLE ?? Boolean(raw.S3_ENDPOINT),
    };
  }

  return {
    nodeEnv: raw.NODE_ENV,
    databaseUrl: raw.DATABASE_URL,
    sandboxDatabaseUrl: raw.SANDBOX_DATABASE_URL,
    adminDatabaseUrl: raw.ADMIN_DATABASE_URL,
    dataDir,
    port: raw.PORT,
    host: resolveListenHost(raw),
    trustProxy: raw.TRUST_PROXY,
    appUrl: (raw.APP_URL ?? `http://localhost:${raw.PORT}`).replace(/\/$/, ""),
    authSecret,
    encryptionKey,
    s3,
    maxSourceBytes: raw.MAX_SOURCE_BYTES,
    outboundAllowHosts: raw.OUTBOUND_ALLOW_HOSTS.split(",")
      .map((h) => h.trim())
      .filter(Boolean),
    logLevel: raw.LOG_LEVEL,
    sessionMaxAgeSeconds: raw.SESSION_MAX_AGE_SECONDS,
    workerShutdownGraceSeconds: raw.WORKER_SHUTDOWN_GRACE_SECONDS,
    embeddedPgPort: raw.EMBEDDED_PG_PORT,
    modelStatementTimeoutMs: raw.MODEL_STATEMENT_TIMEOUT_SECONDS * 1000,
    metricsToken: raw.METRICS_TOKEN,
    nativeCsvScan: raw.RELAYBOARD_NATIVE_SCAN,
  };
}

/**
 * next-auth v4 reads its origin from process.env itself, so this one setting is written back
 * there (here, where process.env lives). With no APP_URL the Host header is trusted, so the app
 * works at whatever address the operator opens it on.
 */
export function exportNextAuthOrigin(appUrlExplicit: boolean, appUrl: string): void {
  if (appUrlExplicit) process.env.NEXTAUTH_URL = appUrl;
  else process.env.AUTH_TRUST_HOST ??= "true";
}

let cached: AppEnv | undefined;

export function getEnv(): AppEnv {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * getEnv().nativeCsvScan without the rest of the configuration: the CSV scanner (lib/csv) also
 * runs in unit tests and tools that have none, and must not generate secrets for one.
 */
export function getNativeCsvScan(): AppEnv["nativeCsvScan"] {
  if (cached) return cached.nativeCsvScan;
  const parsed = rawEnvSchema.shape.RELAYBOARD_NATIVE_SCAN.safeParse(process.env.RELAYBOARD_NATIVE_SCAN);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: RELAYBOARD_NATIVE_SCAN: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** For tests that change configuration between cases. */
export function resetEnvForTests(): void {
  cached = undefined;
}

// db/ never imports lib/: it learns where its database is through this hand-over, made as soon as
// any module of the process loads the configuration.
setDatabaseSettingsSource(() => {
  const env = getEnv();
  return { databaseUrl: env.databaseUrl, dataDir: env.dataDir };
});

export const APP_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
