import { describe, expect, it } from "vitest";
import { checkPayload } from "@/lib/slack/limits";
import type { DigestDiff } from "./digest-diff";
import { describeRowChange, renderDigestMessage, renderPerRowMessages } from "./digest-message";

function diffOf(partial: Partial<DigestDiff>): DigestDiff {
  return {
    baseline: false,
    rows: 0,
    added: 0,
    changed: 0,
    removed: 0,
    columns: ["id", "name"],
    key: ["id"],
    addedRows: [],
    changedRows: [],
    removedRows: [],
    ...partial,
  };
}

const text = (payload: { blocks?: unknown[] }) => JSON.stringify(payload.blocks);

describe("describeRowChange", () => {
  it("names only the compared columns that differ, old → new, nulls as a dash", () => {
    const change = { before: { id: 1, name: "a", qty: 2, note: null }, after: { id: 1, name: "a", qty: 3, note: "x" } };
    expect(describeRowChange(change, ["id", "name", "qty", "note"], ["id"])).toBe("qty: 2 → 3; note: — → x");
  });
});

describe("renderDigestMessage", () => {
  it("escapes cell values so a row cannot mention @channel or forge a link", () => {
    const diff = diffOf({ added: 1, addedRows: [{ id: 1, name: "<!channel> <http://evil|click>" }] });
    const payload = renderDigestMessage({ text: "news" }, {}, diff, { model: "m" });
    expect(text(payload)).not.toContain("<!channel>");
    expect(text(payload)).toContain("&lt;!channel&gt;");
  });

  it("stays within Slack's limits with wide, long rows of every kind, and counts what it left out", () => {
    const columns = Array.from({ length: 30 }, (_, i) => `column_${i}`);
    const row = (id: number) => Object.fromEntries(columns.map((c, i) => [c, i === 0 ? id : "x".repeat(200)]));
    const rows = Array.from({ length: 50 }, (_, i) => row(i));
    const diff = diffOf({
      columns,
      key: ["column_0"],
      added: 5000,
      changed: 5000,
      removed: 5000,
      addedRows: rows,
      removedRows: rows,
      changedRows: rows.map((r) => ({ before: r, after: { ...r, column_5: "y".repeat(500) } })),
    });
    const payload = renderDigestMessage({ header: "h", text: "t" }, {}, diff, { model: "m", runUrl: "http://app/runs/1", runId: "1" });
    expect(checkPayload(payload)).toBeNull();
    expect(text(payload)).toContain("5,000 added · 5,000 changed · 5,000 removed");
    expect(text(payload)).toMatch(/…and [\d,]+ more added, [\d,]+ more changed, [\d,]+ more removed/);
  });
});

describe("renderPerRowMessages", () => {
  it("sends one message per row up to the cap, then one counting the rest", () => {
    const diff = diffOf({
      added: 2,
      changed: 1,
      removed: 4,
      addedRows: [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
      ],
      changedRows: [{ before: { id: 3, name: "c" }, after: { id: 3, name: "C" } }],
      removedRows: [{ id: 4, name: "d" }],
    });
    const messages = renderPerRowMessages({ text: "row" }, {}, diff, { key: ["id"], mode: "per_row", maxRows: 3 }, { model: "m" });
    expect(messages.map((m) => m.text)).toEqual([
      "Added: id 1",
      "Added: id 2",
      "Changed: id 3",
      expect.stringMatching(/^…and 4 more changes in m/),
    ]);
    expect(text(messages[2]!)).toContain("name: c → C");
    for (const m of messages) expect(checkPayload(m)).toBeNull();
  });
});
