import { describe, expect, it } from "vitest";
import type { SnapshotConfig } from "@/db/schema/models";
import {
  addValues,
  contentAsText,
  draftToSnapshot,
  draftToTest,
  emptyTest,
  snapshotInWords,
  snapshotToDraft,
  splitValues,
  testToDraft,
} from "./editor-state";

describe("snapshot settings in the editor", () => {
  it("round-trips both strategies through the draft", () => {
    const configs: SnapshotConfig[] = [
      { strategy: "timestamp", updatedAt: "updated_at" },
      { strategy: "check" },
      { strategy: "check", columns: ["status", "amount"] },
    ];
    for (const config of configs) {
      expect(draftToSnapshot(snapshotToDraft(config))).toEqual(config);
    }
  });

  it("starts a new snapshot on timestamp, and reads empty or spaced check columns as typed", () => {
    expect(snapshotToDraft(null)).toEqual({ strategy: "timestamp", updatedAt: "", checkColumns: "" });
    expect(draftToSnapshot({ strategy: "check", updatedAt: "x", checkColumns: " , " })).toEqual({ strategy: "check" });
    expect(draftToSnapshot({ strategy: "check", updatedAt: "", checkColumns: " a ,b" })).toEqual({
      strategy: "check",
      columns: ["a", "b"],
    });
    expect(draftToSnapshot({ strategy: "timestamp", updatedAt: " at ", checkColumns: "a" })).toEqual({
      strategy: "timestamp",
      updatedAt: "at",
    });
  });

  it("says the rule in words, and diffs show it", () => {
    expect(snapshotInWords({ strategy: "timestamp", updatedAt: "updated_at" }, ["id"])).toBe(
      "By id: a new version when updated_at moves on.",
    );
    expect(snapshotInWords({ strategy: "check" }, ["a", "b"])).toBe("By a, b: a new version when any column changes.");
    expect(snapshotInWords({ strategy: "check", columns: ["status"] }, ["id"])).toBe("By id: a new version when status changes.");
    const text = contentAsText({
      description: "",
      sql: "select 1",
      materialization: "snapshot",
      uniqueKey: ["id"],
      snapshot: { strategy: "check" },
      columnDescriptions: {},
      tests: [],
    });
    expect(text).toContain("-- snapshot: By id: a new version when any column changes.");
  });
});

describe("accepted values as a list", () => {
  it("splits a pasted comma or line list into values, never one value", () => {
    expect(splitValues("paid, refunded,pending")).toEqual(["paid", "refunded", "pending"]);
    expect(splitValues("paid\nrefunded\r\n\n shipped ")).toEqual(["paid", "refunded", "shipped"]);
    expect(splitValues(`'a', "b, c", "say ""hi"""`)).toEqual(["a", "b, c", 'say "hi"']);
    expect(splitValues(" , ,")).toEqual([]);
    expect(splitValues("one")).toEqual(["one"]);
  });

  it("adds each value once and keeps the list through a save", () => {
    expect(addValues(["paid"], ["refunded", "paid"])).toEqual(["paid", "refunded"]);
    const draft = { ...emptyTest("accepted_values", 1), column: " status ", values: ["paid", "refunded"] };
    expect(draftToTest(draft)).toEqual({ type: "accepted_values", column: "status", values: ["paid", "refunded"] });
    expect(testToDraft(draftToTest(draft), 2).values).toEqual(["paid", "refunded"]);
  });
});
