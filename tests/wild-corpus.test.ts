import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { closeDb } from "@/db";
import { createUser } from "@/lib/auth/users";
import { createApiToken } from "@/lib/api/tokens";
import { compareLoad, loadWildExpectations, loadWithRelayboard } from "./helpers/wild-corpus";

/**
 * Issue 14's corpus of real-world-style files (tests/fixtures/wild), each uploaded through
 * POST /v1/datasets/csv with default options and loaded as the worker would: the typed table
 * must have exactly the expected rows, column names and types, and cell values (::text).
 */
const log = pino({ level: "silent" });
let token: string;

beforeAll(async () => {
  const admin = await createUser({ email: "wild-corpus@example.com", password: "long enough pw", role: "admin" });
  token = (await createApiToken(admin, { name: "wild corpus", role: "editor" })).token;
});

afterAll(async () => {
  await closeDb();
});

describe("real-world CSVs on the defaults", () => {
  const expectations = loadWildExpectations();

  it("has the corpus the issue asks for", () => {
    expect(expectations.length).toBeGreaterThanOrEqual(25);
    for (const e of expectations) {
      expect(e.cells.length, e.file).toBeGreaterThanOrEqual(4);
      expect(
        e.cells.map((c) => c.row),
        e.file,
      ).toEqual(expect.arrayContaining([0, e.rows - 1]));
    }
  });

  it.each(expectations.map((e) => [e.file, e] as const))("%s", async (file, expected) => {
    const observed = await loadWithRelayboard(file, token, log);
    expect(compareLoad(expected, observed), `${file} (${expected.class.join(", ")})`).toEqual([]);
  });
});
