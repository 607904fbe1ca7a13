import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { createUser } from "@/lib/auth/users";
import { buildModels } from "@/lib/transform/build";
import { ELLIPSIS, ERROR_TEXT_MAX_CHARS, QUOTED_VALUE_MAX_CHARS, QUOTED_VALUE_MAX_LINES } from "@/lib/transform/error-text";
import { saveModel } from "@/lib/transform/models";

/**
 * A model that fails on a value keeps only the head of that value in its stored error: the
 * value is user data of any size, and the error is shown on pages, in runs and in alerts.
 */
let actor: { id: string };

beforeAll(async () => {
  actor = await createUser({ email: "errors@example.com", password: "long enough pw", role: "editor" });
});

afterAll(async () => {
  await closeDb();
});

describe("a failing build's stored error", () => {
  it("keeps at most 3 lines and ~200 characters of a 10 KB multi-line value cast to int", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `row ${String(i + 1).padStart(3, "0")} of a private note ${"z".repeat(24)}`);
    const value = lines.join("\n");
    expect(value.length).toBeGreaterThan(10_000);
    await saveModel(
      { name: "cast_note", materialization: "table", sql: `select note::int as n from (values ('${value}')) as v(note)` },
      actor,
    );

    const { builds } = await buildModels({ names: ["cast_note"] });
    expect(builds.map((b) => [b.modelName, b.status])).toEqual([["cast_note", "failed"]]);

    const [row] = await getSql()<{ error: { message: string; detail?: string } }[]>`
      select error from relayboard.model_builds where id = ${builds[0]!.id}`;
    const { message, detail } = row!.error;
    expect(message.startsWith('invalid input syntax for type integer: "row 001 of a private note')).toBe(true);
    expect(message.length).toBeLessThanOrEqual(ERROR_TEXT_MAX_CHARS);
    const shown = message.slice(message.indexOf('"') + 1, message.lastIndexOf('"'));
    expect(shown.endsWith(ELLIPSIS)).toBe(true);
    expect(shown.length).toBeLessThanOrEqual(QUOTED_VALUE_MAX_CHARS + ELLIPSIS.length);
    expect(shown.split("\n").length).toBeLessThanOrEqual(QUOTED_VALUE_MAX_LINES);
    expect(message).not.toContain("row 004");
    expect(JSON.stringify(row!.error).length).toBeLessThan(600);
    expect(detail ?? "").not.toContain("row 004");
  });
});
