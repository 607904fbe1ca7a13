import { describe, expect, it } from "vitest";
import { checkPayload, SLACK_LIMITS } from "@/lib/slack/limits";
import { escapeMrkdwn, renderMessage, unknownVariables, type ResultTable } from "@/lib/slack/render";

const template = { header: "Daily sales for {{dataset.name}}", text: "*{{run.rows}}* rows loaded, status {{run.status}}" };
const opts = { runUrl: "http://localhost:3000/runs/abc", runId: "abc" };

function allText(payload: ReturnType<typeof renderMessage>): string {
  return JSON.stringify(payload.blocks);
}

describe("renderMessage", () => {
  it("fills variables, escaping values from data", () => {
    const payload = renderMessage(
      template,
      { "dataset.name": "sales <!channel> & co", "run.rows": 42, "run.status": "succeeded" },
      undefined,
      opts,
    );
    expect(checkPayload(payload)).toBeNull();
    expect(payload.blocks![0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Daily sales for sales <!channel> & co", emoji: true },
    });
    expect(payload.blocks![1]).toEqual({ type: "section", text: { type: "mrkdwn", text: "*42* rows loaded, status succeeded" } });
    expect(allText(payload)).toContain("Open the run");
  });

  it("truncates a 10,000-row result within Slack's limits, saying how many rows are left", () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [i, `customer ${i}`, (i * 1.5).toFixed(2), i % 7 === 0 ? null : "NO"]);
    const table: ResultTable = { columns: ["id", "name", "amount", "country"], rows, totalRows: 10_000 };
    const payload = renderMessage(template, {}, table, opts);
    expect(checkPayload(payload)).toBeNull();
    expect(payload.blocks!.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const text = allText(payload);
    expect(text.length).toBeLessThan(SLACK_LIMITS.totalText);
    const note = payload.blocks!.find((b) => b.type === "context" && JSON.stringify(b).includes("more rows"));
    expect(JSON.stringify(note)).toMatch(/…and [\d,]+ more rows · <http:\/\/localhost:3000\/runs\/abc\|see the run>/);
    // Numbers right-aligned, NULL as an em dash.
    const firstSection = (
      payload.blocks!.find((b) => b.type === "section" && JSON.stringify(b).includes("```")) as { text: { text: string } }
    ).text.text;
    const lines = firstSection.split("\n");
    expect(lines[1]).toMatch(/^ +id  name +amount  country$/);
    expect(lines[3]).toMatch(/^ {1,}0  customer 0\s+0\.00  —$/);
  });

  it("keeps 30 columns within limits and says which are hidden", () => {
    const columns = Array.from({ length: 30 }, (_, i) => `column_${i}`);
    const rows = Array.from({ length: 50 }, (_, r) => columns.map((_, c) => `${r}-${c}`));
    const payload = renderMessage(template, {}, { columns, rows, totalRows: 50 }, opts);
    expect(checkPayload(payload)).toBeNull();
    expect(allText(payload)).toContain("10 more columns");
  });

  it("cannot be made to ping, link, or break out by cell values", () => {
    const nasty = ["<!channel>", "<https://evil.example|click>", "fish & chips", "🎉 party", "x".repeat(5000), "```\n<!here>", "<@U123>"];
    const payload = renderMessage(template, {}, { columns: ["value"], rows: nasty.map((v) => [v]), totalRows: nasty.length }, opts);
    expect(checkPayload(payload)).toBeNull();
    const text = allText(payload);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<!here>");
    expect(text).not.toContain("<https://evil");
    expect(text).not.toContain("<@U123>");
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).toContain("fish &amp; chips");
    expect(text).toContain("🎉 party");
    expect(text).not.toContain("x".repeat(100));
  });

  it("handles an empty result", () => {
    const payload = renderMessage(template, {}, { columns: ["a"], rows: [], totalRows: 0 }, opts);
    expect(checkPayload(payload)).toBeNull();
    expect(allText(payload)).toContain("no rows");
  });

  it("keeps a long header and text within their limits", () => {
    const payload = renderMessage({ header: "h".repeat(500), text: "t".repeat(10_000) }, {}, undefined, opts);
    expect(checkPayload(payload)).toBeNull();
  });
});

describe("templates", () => {
  it("finds unknown variables", () => {
    expect(unknownVariables("{{dataset.name}} {{ run.rows }} {{run.nope}} {{secret}}")).toEqual(["run.nope", "secret"]);
  });

  it("escapes Slack's control characters", () => {
    expect(escapeMrkdwn("a < b > c & d")).toBe("a &lt; b &gt; c &amp; d");
  });
});

describe("checkPayload (the stand-in's validator)", () => {
  it("refuses what Slack refuses", () => {
    expect(checkPayload({})).toMatchObject({ error: "invalid_payload" });
    expect(checkPayload({ text: "x", blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) })).toMatchObject({
      error: "invalid_blocks",
    });
    expect(checkPayload({ text: "x", blocks: [{ type: "section", text: { type: "mrkdwn", text: "y".repeat(3001) } }] })).toMatchObject({
      error: "invalid_blocks",
    });
    expect(checkPayload({ text: "x", blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] })).toMatchObject({
      error: "invalid_blocks",
    });
    expect(checkPayload({ text: "ok" })).toBeNull();
  });
});

describe("{{now}} for people", () => {
  const at = "2026-12-07T08:30:00.000Z";
  const text = (template: string, timeZone?: string) =>
    JSON.stringify(renderMessage({ text: template }, { now: at }, undefined, { timeZone }).blocks?.[0]);

  it("reads in the pipeline's time zone, saying which", () => {
    expect(text("At {{now}}", "Europe/Zurich")).toContain("At 7 Dec 2026, 09:30 (Europe/Zurich)");
    expect(text("At {{ now }}")).toContain("At 7 Dec 2026, 08:30 (UTC)");
  });

  it("takes a date-fns format, with literal text in quotes, across a date line", () => {
    expect(text('{{now | date: "yyyy-MM-dd HH:mm"}}', "Pacific/Auckland")).toContain("2026-12-07 21:30");
    expect(text("{{now|date:\"EEEE 'week' I\"}}", "America/Los_Angeles")).toContain("Monday week 50");
    expect(text('{{now | date: "yyyy-MM-dd"}}', "Pacific/Pago_Pago")).toContain("2026-12-06");
  });

  it("is checked when the template is saved", async () => {
    const { validateTemplate } = await import("./preview");
    expect(() => validateTemplate({ text: '{{now | date: "yyyy-MM-dd"}}' })).not.toThrow();
    expect(() => validateTemplate({ text: '{{now | date: "today is yyyy"}}' })).toThrow(/date format "today is yyyy" cannot be used/);
    expect(() => validateTemplate({ text: "{{now | date: 'HH:mm'}}" })).toThrow(/is not a variable/);
  });
});
