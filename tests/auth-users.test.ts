import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrateDatabase } from "@/lib/database/migrate";
import { resetEnvForTests } from "@/lib/env";
import { createFreshDatabase } from "./helpers/test-database";
import { closeDb } from "@/db";
import { getUserByEmail, listUsers } from "@/db/queries/users";
import { createFirstAdmin, createUser, changeUserRole, setUserActive } from "@/lib/auth/users";
import { verifyPassword } from "@/lib/auth/passwords";
import { UserError } from "@/lib/errors";

// First-run setup needs an install with no users, so this file gets a database of its own.
let own: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  own = await createFreshDatabase(inject("serverUrl"), "rb_test_auth");
  await migrateDatabase(own.url);
  process.env.DATABASE_URL = own.url;
  resetEnvForTests();
});

afterAll(async () => {
  await closeDb();
  await own.drop();
});

describe("users", () => {
  it("first-run setup creates one admin, then closes", async () => {
    const admin = await createFirstAdmin({ email: "Owner@Example.com", password: "correct horse battery" });
    expect(admin.role).toBe("admin");
    expect(admin.email).toBe("owner@example.com");
    await expect(createFirstAdmin({ email: "second@example.com", password: "correct horse battery" })).rejects.toMatchObject({
      status: 409,
    });
    const stored = await getUserByEmail("owner@example.com");
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain("correct horse");
    expect(await verifyPassword(stored!.passwordHash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(stored!.passwordHash, "wrong")).toBe(false);
  });

  it("refuses a duplicate email and a weak password with clear errors", async () => {
    await createUser({ email: "dup@example.com", password: "long enough pw", role: "viewer" });
    const dup = await createUser({ email: "DUP@example.com", password: "long enough pw", role: "editor" }).catch((e) => e);
    expect(dup).toBeInstanceOf(UserError);
    expect(dup.message).toMatch(/already exists/);
    await expect(createUser({ email: "weak@example.com", password: "short", role: "viewer" })).rejects.toThrow(/at least 10/);
    expect((await listUsers()).filter((u) => u.email === "dup@example.com")).toHaveLength(1);
  });

  it("never lets the last active admin be demoted or deactivated", async () => {
    const owner = (await getUserByEmail("owner@example.com"))!;
    await expect(changeUserRole(owner.id, "editor")).rejects.toThrow(/last active admin/);
    const other = await createUser({ email: "other-admin@example.com", password: "long enough pw", role: "admin" });
    await expect(setUserActive(owner.id, owner.id, false)).rejects.toThrow(/yourself/);
    const demoted = await changeUserRole(other.id, "editor");
    expect(demoted.role).toBe("editor");
    // Role changes bump the session version so existing sessions end.
    expect(demoted.sessionVersion).toBe(1);
    const deactivated = await setUserActive(owner.id, other.id, false);
    expect(deactivated.active).toBe(false);
    expect(deactivated.sessionVersion).toBe(2);
  });
});
