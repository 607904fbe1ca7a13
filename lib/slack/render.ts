import { format } from "date-fns";
import { TZDate } from "@date-fns/tz";
import { SLACK_LIMITS, type Block, type SlackPayload } from "@/lib/slack/limits";

/**
 * Turns a message template and (optionally) a result table into Block Kit that fits Slack's
 * limits. Every value that comes from data is escaped, so a CSV cell cannot ping @channel or
 * forge a link; the template's own text is the editor's mrkdwn and is kept as written.
 */
export type MessageTemplate = {
  header?: string;
  text: string;
  table?: { model: string; columns?: string[]; sortBy?: string; sortDirection?: "asc" | "desc"; limit?: number };
};

export type ResultTable = { columns: string[]; rows: (string | number | boolean | null)[][]; totalRows: number };

export const TEMPLATE_VARIABLES = [
  "dataset.name",
  "dataset.rows",
  "run.id",
  "run.rows",
  "run.status",
  "run.url",
  "run.trigger",
  "pipeline.name",
  "model.name",
  "model.rowCount",
  "now",
  // A "what changed" delivery's counts (empty elsewhere).
  "digest.added",
  "digest.changed",
  "digest.removed",
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Partial<Record<TemplateVariable, string | number | null>>;

/** `{{name}}`, or `{{now | date: "yyyy-MM-dd"}}` with a date-fns format. */
const VARIABLE = /\{\{\s*([a-zA-Z_.]+)\s*(?:\|\s*date\s*:\s*"([^"{}]*)"\s*)?\}\}/g;

/** How `{{now}}` reads without a format: "7 Dec 2026, 09:00 (Europe/Zurich)". */
export const DEFAULT_DATE_FORMAT = "d MMM yyyy, HH:mm";

/** An ISO time for people, in a time zone; a format date-fns cannot read throws (checked when a template is saved). */
export function formatTime(iso: string, timeZone: string, pattern?: string): string {
  const date = new TZDate(new Date(iso).getTime(), timeZone);
  return pattern ? format(date, pattern) : `${format(date, DEFAULT_DATE_FORMAT)} (${timeZone})`;
}

/** The date formats a template uses, for the save-time check. */
export function dateFormats(template: string): string[] {
  return [...template.matchAll(VARIABLE)].flatMap((m) => (m[2] !== undefined ? [m[2]] : []));
}

/** Unknown variables, for the save-time check. */
export function unknownVariables(template: string): string[] {
  const known = new Set<string>(TEMPLATE_VARIABLES);
  return [...new Set([...template.matchAll(VARIABLE)].map((m) => m[1]!).filter((v) => !known.has(v)))];
}

/** `{{…}}` that is not a variable as written (`{{now | date: 'HH:mm'}}`): it would be sent as typed. */
export function malformedPlaceholders(template: string): string[] {
  const whole = new RegExp(`^${VARIABLE.source}$`);
  return [...template.matchAll(/\{\{[^{}]*\}\}/g)].map((m) => m[0]).filter((text) => !whole.test(text));
}

export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fill(template: string, values: TemplateValues, escape: boolean, timeZone = "UTC"): string {
  return template.replace(VARIABLE, (_, name: string, pattern: string | undefined) => {
    const value = values[name as TemplateVariable];
    let text = value === null || value === undefined ? "—" : String(value);
    // Only `now` is a time; a date filter elsewhere leaves the value as it is.
    if (name === "now" && typeof value === "string") {
      try {
        text = formatTime(value, timeZone, pattern);
      } catch {
        // A format saved before it was checked: the plain time rather than no message.
      }
    }
    return escape ? escapeMrkdwn(text) : text;
  });
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const CELL_WIDTH = 40;
const MAX_COLUMNS = 20;
const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function cellText(value: string | number | boolean | null): string {
  if (value === null || value === undefined) return "—";
  // One line per row, and nothing that closes the code block early.
  return clip(
    String(value)
      .replace(/\r\n|\r|\n/g, " ⏎ ")
      .replace(/```/g, "`\u200b``"),
    CELL_WIDTH,
  );
}

/** Monospaced table lines: numbers right-aligned, NULL as an em dash, escaped for mrkdwn. */
export function tableLines(table: ResultTable): { header: string; lines: string[]; hiddenColumns: number } {
  const columns = table.columns.slice(0, MAX_COLUMNS);
  const cells = table.rows.map((row) => columns.map((_, i) => cellText(row[i] ?? null)));
  const numeric = columns.map(
    (_, i) => table.rows.length > 0 && table.rows.every((r) => r[i] === null || typeof r[i] === "number" || NUMERIC.test(String(r[i]))),
  );
  const widths = columns.map((c, i) => Math.max(clip(c, CELL_WIDTH).length, ...cells.map((r) => [...r[i]!].length)));
  const pad = (text: string, i: number) => {
    const gap = " ".repeat(Math.max(0, widths[i]! - [...text].length));
    return numeric[i] ? gap + text : text + gap;
  };
  const format = (row: string[]) => escapeMrkdwn(row.map(pad).join("  ").trimEnd());
  return {
    header: `${format(columns.map((c) => clip(c, CELL_WIDTH)))}\n${widths.map((w) => "-".repeat(w)).join("  ")}`,
    lines: cells.map(format),
    hiddenColumns: table.columns.length - columns.length,
  };
}

/** `timeZone`: the pipeline's, for `{{now}}` (default UTC). */
export type RenderOptions = { runUrl?: string; runId?: string; timeZone?: string };

export function renderMessage(
  template: MessageTemplate,
  values: TemplateValues,
  table?: ResultTable,
  opts: RenderOptions = {},
): SlackPayload {
  const blocks: Block[] = [];
  let budget: number = SLACK_LIMITS.budgetText;
  const header = template.header
    ? clip(fill(template.header, values, false, opts.timeZone).replace(/\s+/g, " ").trim(), SLACK_LIMITS.headerText)
    : "";
  if (header) {
    blocks.push({ type: "header", text: { type: "plain_text", text: header, emoji: true } });
    budget -= header.length;
  }
  const body = fill(template.text, values, true, opts.timeZone).trim();
  if (body) {
    const text = clip(body, SLACK_LIMITS.sectionText);
    blocks.push({ type: "section", text: { type: "mrkdwn", text } });
    budget -= text.length;
  }

  const footerParts = [`Relayboard${opts.runId ? ` · run ${opts.runId}` : ""}`];
  if (opts.runUrl) footerParts.push(`<${opts.runUrl}|Open the run>`);
  const footer: Block = { type: "context", elements: [{ type: "mrkdwn", text: footerParts.join(" · ") }] };
  budget -= footerParts.join(" · ").length;

  if (table) {
    const { header: head, lines, hiddenColumns } = tableLines(table);
    // Sections the table may use, keeping room for the "more rows" note and the footer.
    const maxSections = SLACK_LIMITS.blocks - blocks.length - 2;
    const fence = (content: string[]) => "```\n" + [head, ...content].join("\n") + "\n```";
    let current: string[] = [];
    let sections = 0;
    let shown = 0;
    const flush = () => {
      if (current.length === 0) return;
      const text = fence(current);
      blocks.push({ type: "section", text: { type: "mrkdwn", text } });
      budget -= text.length;
      sections++;
      current = [];
    };
    for (const line of lines) {
      if (fence([...current, line]).length > SLACK_LIMITS.sectionText) {
        if (sections + 2 > maxSections) break;
        flush();
      }
      if (fence([...current, line]).length > budget) break;
      current.push(line);
      shown++;
    }
    flush();
    if (table.rows.length === 0) {
      blocks.push({ type: "section", text: { type: "mrkdwn", text: "_The result has no rows._" } });
    }
    const more = table.totalRows - shown;
    if (more > 0 || hiddenColumns > 0) {
      const notes = [];
      if (more > 0) notes.push(`…and ${more.toLocaleString("en-US")} more rows`);
      if (hiddenColumns > 0) notes.push(`${hiddenColumns} more columns`);
      const link = opts.runUrl ? ` · <${opts.runUrl}|see the run>` : "";
      blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `${notes.join(", ")}${link}` }] });
    }
  }
  blocks.push(footer);
  const fallback = clip(header || body.replace(/[*_~`]/g, "") || "Relayboard message", 300);
  return { text: fallback, blocks };
}
