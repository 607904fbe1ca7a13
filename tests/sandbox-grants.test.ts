import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { readSandboxGrants } from "@/db/roles";

/**
 * docs/security.md lists what the sandbox role may do in a JSON block; this reads the same facts
 * back from the catalogs, so the documentation and the database cannot drift apart.
 */
function documentedGrants() {
  const doc = fs.readFileSync(path.join(process.cwd(), "docs", "security.md"), "utf8");
  const block = /```json sandbox-grants\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error("docs/security.md has no ```json sandbox-grants block");
  return JSON.parse(block[1]!) as {
    role: Record<string, unknown>;
    schemas: Record<string, string[]>;
    settings: string[];
    executable: Record<string, boolean>;
  };
}

afterAll(async () => {
  await closeDb();
});

describe("the sandbox role's grants", () => {
  it("are exactly those docs/security.md lists", async () => {
    const documented = documentedGrants();
    const actual = await readSandboxGrants(getSql(), Object.keys(documented.executable));
    // statement_timeout follows MODEL_STATEMENT_TIMEOUT_SECONDS; the rest is fixed.
    const settings = actual.settings.map((s) => s.replace(/^statement_timeout=.*/, "statement_timeout=<MODEL_STATEMENT_TIMEOUT_SECONDS>"));
    expect({ ...actual, settings }).toEqual(documented);
  });

  it("cannot create anything in warehouse but tables and views", async () => {
    const { inSandbox } = await import("@/lib/transform/sandbox");
    const err = await inSandbox((tx) => tx.unsafe("create type warehouse.rb_mood as enum ('ok')")).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/only create tables and views/);
  });
});

describe("a superuser login for the app", () => {
  it("is warned about (the machine's server in DATABASE_URL), and the embedded app role is none", async () => {
    const { inject } = await import("vitest");
    const { describeConnectionRole } = await import("@/db/roles");
    const { superuserWarning } = await import("@/lib/db-role-warning");
    const role = await describeConnectionRole(getSql());
    const warning = superuserWarning(role);
    if (inject("usingEmbedded")) {
      expect(role).toMatchObject({ name: "relayboard_app", superuser: false });
      expect(warning).toBeNull();
    } else {
      expect(role.superuser).toBe(true);
      expect(warning).toMatch(new RegExp(`logs in as ${role.name}, a superuser`));
    }
  });
});
