import { describe, expect, it } from "vitest";
import { changedTypes, keyMatch, keyText, snapshotColumnProblems, versionRule } from "@/lib/transform/snapshot-sql";

const cols = (...names: string[]) => names.map((name) => ({ name, type: name.endsWith("_at") ? "timestamp with time zone" : "text" }));

describe("snapshotColumnProblems", () => {
  it("accepts a result with its key and updated_at column", () => {
    expect(
      snapshotColumnProblems("m", cols("id", "name", "updated_at"), ["id"], { strategy: "timestamp", updatedAt: "updated_at" }),
    ).toEqual([]);
    expect(snapshotColumnProblems("m", cols("id", "name"), ["id"], { strategy: "check", columns: ["name"] })).toEqual([]);
  });

  it("names what is missing or clashing", () => {
    expect(snapshotColumnProblems("m", cols("id"), [], { strategy: "check" })).toEqual([
      "Snapshot model m needs a unique key: the columns that identify a row across builds",
    ]);
    expect(snapshotColumnProblems("m", cols("id"), ["id"], null)).toEqual([
      "Snapshot model m has no snapshot strategy (timestamp or check)",
    ]);
    expect(snapshotColumnProblems("m", cols("id", "valid_to", "is_deleted"), ["key"], { strategy: "check", columns: ["nope"] })).toEqual([
      "Snapshot model m has a column named valid_to, is_deleted; the snapshot adds valid_from, valid_to and is_deleted itself, so rename it in the SQL",
      "Unique key column key is not in the result of snapshot model m",
      "Check column nope is not in the result of snapshot model m",
    ]);
    expect(snapshotColumnProblems("m", cols("id"), ["id"], { strategy: "timestamp", updatedAt: "changed_at" })).toEqual([
      "The updated_at column changed_at is not in the result of snapshot model m",
    ]);
    expect(
      snapshotColumnProblems(
        "m",
        [
          { name: "id", type: "integer" },
          { name: "v", type: "text" },
        ],
        ["id"],
        { strategy: "timestamp", updatedAt: "v" },
      ),
    ).toEqual(["The updated_at column v is text; it must be a timestamp or a date (cast it in the SQL, e.g. v::timestamptz)"]);
  });
});

describe("versionRule", () => {
  it("timestamp: a later updated_at is a change, dated by itself, never before the version it closes", () => {
    expect(versionRule({ strategy: "timestamp", updatedAt: "at" }, ["id", "at"], ["id"])).toEqual({
      changed: `(t."at" is null or s."at"::timestamptz > t."at"::timestamptz)`,
      closeAt: `greatest(s."at"::timestamptz, t.valid_from)`,
      firstFrom: `s."at"::timestamptz`,
    });
  });

  it("check: every column but the key's, or the listed ones, compared NULL-safely; dated by the build", () => {
    expect(versionRule({ strategy: "check" }, ["id", "a", "b"], ["id"])).toEqual({
      changed: `(to_jsonb(t."a") is distinct from to_jsonb(s."a") or to_jsonb(t."b") is distinct from to_jsonb(s."b"))`,
      closeAt: "now()",
      firstFrom: "now()",
    });
    expect(versionRule({ strategy: "check", columns: ["b"] }, ["id", "a", "b"], ["id"]).changed).toBe(
      `(to_jsonb(t."b") is distinct from to_jsonb(s."b"))`,
    );
    expect(versionRule({ strategy: "check" }, ["id"], ["id"]).changed).toBe("false");
  });
});

describe("helpers", () => {
  it("matches and prints keys of one or more columns", () => {
    expect(keyMatch(["id"])).toBe(`t."id" = s."id"`);
    expect(keyMatch(["a", "b"], "c", "s")).toBe(`c."a" = s."a" and c."b" = s."b"`);
    expect(keyText(["id"])).toBe(`"id"::text`);
    expect(keyText(["a", "b"])).toBe(`row("a", "b")::text`);
  });

  it("lists columns whose type changed", () => {
    expect(
      changedTypes(
        [
          { name: "a", type: "text" },
          { name: "b", type: "integer" },
        ],
        [
          { name: "a", type: "text" },
          { name: "b", type: "bigint" },
          { name: "c", type: "date" },
        ],
      ),
    ).toEqual(["b was integer and is now bigint"]);
  });
});
