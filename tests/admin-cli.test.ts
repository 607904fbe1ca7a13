import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { findRunningEmbedded } from "@/db/embedded";
import { cleanEnv, runTs } from "./helpers/processes";

async function roleOf(url: string, email: string): Promise<string | undefined> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select role, password_hash from relayboard.users where email = ${email}`;
    expect(rows[0]?.password_hash ?? "").not.toContain("Sup3r");
    return rows[0]?.role as string | undefined;
  } finally {
    await sql.end();
  }
}

describe("npm run admin -- user …", () => {
  it("creates and lists users against an external database, with clear errors", async () => {
    const env = cleanEnv({ DATABASE_URL: process.env.DATABASE_URL!, DATA_DIR: process.env.DATA_DIR! });
    const created = await runTs(
      "scripts/admin.ts",
      ["user", "create", "--email", "Ops@Example.com", "--password", "Sup3r-secret-pw", "--role", "editor"],
      env,
    );
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created editor ops@example\.com/);
    expect(await roleOf(process.env.DATABASE_URL!, "ops@example.com")).toBe("editor");

    const duplicate = await runTs(
      "scripts/admin.ts",
      ["user", "create", "--email", "ops@example.com", "--password", "Sup3r-secret-pw", "--role", "viewer"],
      env,
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);

    const weak = await runTs(
      "scripts/admin.ts",
      ["user", "create", "--email", "weak@example.com", "--password", "short", "--role", "viewer"],
      env,
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/--password: Password must be at least 10 characters/);

    const badRole = await runTs(
      "scripts/admin.ts",
      ["user", "create", "--email", "r@example.com", "--password", "Sup3r-secret-pw", "--role", "owner"],
      env,
    );
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/--role/);

    const listed = await runTs("scripts/admin.ts", ["user", "list"], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/ops@example\.com\s+editor\s+active/);
    for (const out of [created, duplicate, weak, listed]) expect(out.stdout + out.stderr).not.toContain("Sup3r-secret-pw");
  }, 120_000);

  it("starts the embedded Postgres when no app is running, and stops it again", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rb-cli-embedded-"));
    try {
      const env = cleanEnv({ DATA_DIR: dataDir });
      const created = await runTs(
        "scripts/admin.ts",
        ["user", "create", "--email", "first@example.com", "--password", "Sup3r-secret-pw", "--role", "admin"],
        env,
        120_000,
      );
      expect(created.stderr).toBe("");
      expect(created.code).toBe(0);
      expect(fs.existsSync(path.join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
      // The CLI started the server, so it stopped it on the way out.
      expect(findRunningEmbedded(dataDir)).toBeNull();

      const listed = await runTs("scripts/admin.ts", ["user", "list"], env, 120_000);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/first@example\.com\s+admin\s+active/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
