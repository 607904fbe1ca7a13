import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { countUsers } from "@/db/queries/users";
import { UserError } from "@/lib/errors";
import type { RequestClient } from "@/lib/auth/client-address";

/**
 * First-run setup from another machine needs a one-time token: whoever reaches a fresh install
 * first would otherwise become its admin. The launcher writes it (0600) into DATA_DIR and prints
 * it in its start banner; nothing else shows it. It is deleted once the first admin exists.
 */
const FILE_NAME = "setup-token";

export function setupTokenPath(dataDir: string): string {
  return path.join(dataDir, FILE_NAME);
}

/** A fresh token replaces any earlier one (each start prints its own). */
export function issueSetupToken(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const token = crypto.randomBytes(24).toString("base64url");
  const file = setupTokenPath(dataDir);
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}

export function deleteSetupToken(dataDir: string): void {
  fs.rmSync(setupTokenPath(dataDir), { force: true });
}

function readSetupToken(dataDir: string): string | null {
  try {
    return fs.readFileSync(setupTokenPath(dataDir), "utf8").trim() || null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Constant time: both sides are hashed first, so neither length nor content leaks through timing. */
export function setupTokenMatches(dataDir: string, presented: string | null | undefined): boolean {
  const expected = readSetupToken(dataDir);
  if (!expected || !presented) return false;
  const digest = (value: string) => crypto.createHash("sha256").update(value, "utf8").digest();
  return crypto.timingSafeEqual(digest(presented.trim()), digest(expected));
}

/** Loopback clients need no token; everyone else must present the one the launcher printed. */
export function assertMaySetUp(client: RequestClient, presented: string | null | undefined, dataDir: string): void {
  if (client.loopback) return;
  if (!presented?.trim()) {
    throw new UserError("Setting up from another machine needs the setup token", 403, {
      setupToken: ["Enter the token printed in the console where Relayboard was started"],
    });
  }
  if (!setupTokenMatches(dataDir, presented)) {
    throw new UserError("That setup token is not valid", 403, {
      setupToken: ["Use the token printed by the latest start of Relayboard"],
    });
  }
}

/** For the launcher: a token when the install has no user yet, none (and no file) otherwise. */
export async function prepareSetupToken(dataDir: string): Promise<string | null> {
  if ((await countUsers()) > 0) {
    deleteSetupToken(dataDir);
    return null;
  }
  return issueSetupToken(dataDir);
}
