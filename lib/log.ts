import pino, { type Logger } from "pino";
import { getEnv } from "@/lib/env";

/**
 * Structured JSON logs. Redaction is a safety net for fields that must never be written
 * (passwords, hashes, secrets, webhook URLs, tokens); code should not log them in the first place.
 */
export const REDACTED_PATHS = [
  "password",
  "passwordHash",
  "*.password",
  "*.passwordHash",
  "authSecret",
  "encryptionKey",
  "*.authSecret",
  "*.encryptionKey",
  "secretAccessKey",
  "*.secretAccessKey",
  "webhookUrl",
  "*.webhookUrl",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "req.headers.cookie",
  "req.headers.authorization",
  "databaseUrl",
];

let root: Logger | undefined;

export function getLogger(): Logger {
  if (!root) {
    let level = "info";
    try {
      level = getEnv().logLevel;
    } catch {
      // Configuration errors are reported by whoever parses it; logging must still work.
    }
    root = pino({ level, base: { app: "relayboard" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } });
  }
  return root;
}

export function childLogger(bindings: Record<string, unknown>): Logger {
  return getLogger().child(bindings);
}

/** Strips credentials from a connection URL so it can be logged or shown. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "[unparseable url]";
  }
}
