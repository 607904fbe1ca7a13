import { DEFAULT_DIGEST_ROWS, type DeliveryDigestConfig } from "@/db/schema/pipelines";
import type { DigestDiff, DigestRow } from "@/lib/pipeline/digest-diff";
import { SLACK_LIMITS, type Block, type SlackPayload } from "@/lib/slack/limits";
import { escapeMrkdwn, renderMessage, tableLines, type MessageTemplate, type RenderOptions, type TemplateValues } from "@/lib/slack/render";
import { tableCell } from "@/lib/slack/result-table";

const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, noun: string) => `${count(n)} ${noun}${n === 1 ? "" : "s"}`;

export function digestValues(diff: DigestDiff): TemplateValues {
  return { "digest.added": diff.added, "digest.changed": diff.changed, "digest.removed": diff.removed };
}

/** "10 added · 7 changed · 3 removed" */
export function describeDigestCounts(diff: Pick<DigestDiff, "added" | "changed" | "removed">): string {
  return `${count(diff.added)} added · ${count(diff.changed)} changed · ${count(diff.removed)} removed`;
}

function keyText(row: DigestRow, key: string[]): string {
  return key.map((k) => `${k} ${cell(row[k])}`).join(", ");
}

function cell(value: unknown): string {
  const v = tableCell(value);
  return v === null ? "—" : String(v).replace(/\r\n|\r|\n/g, " ⏎ ");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "status: open → closed; amount: 10 → 12" for the compared columns that differ. */
export function describeRowChange(change: { before: DigestRow; after: DigestRow }, columns: string[], key: string[]): string {
  const parts = columns
    .filter((c) => !key.includes(c) && JSON.stringify(change.before[c] ?? null) !== JSON.stringify(change.after[c] ?? null))
    .map((c) => `${c}: ${clip(cell(change.before[c]), 60)} → ${clip(cell(change.after[c]), 60)}`);
  return parts.join("; ");
}

function rowsTable(rows: DigestRow[], columns: string[]) {
  return { columns, rows: rows.map((r) => columns.map((c) => tableCell(r[c]))), totalRows: rows.length };
}

/**
 * Sections that fit Slack: a titled code block per kind, split into sections of ≤3000 characters,
 * cut (with a note) when the message would pass its block or character budget.
 */
class SectionBudget {
  readonly blocks: Block[] = [];
  private chars = 0;
  constructor(
    private readonly maxBlocks: number,
    private readonly maxChars: number,
  ) {}

  fits(text: string, extraBlocks = 1): boolean {
    return this.blocks.length + extraBlocks <= this.maxBlocks && this.chars + text.length <= this.maxChars;
  }

  push(text: string): boolean {
    if (!this.fits(text)) return false;
    this.blocks.push({ type: "section", text: { type: "mrkdwn", text } });
    this.chars += text.length;
    return true;
  }

  /** Lines under a title, as few sections as fit; returns how many lines made it. */
  pushLines(title: string, lines: string[], fenced: { header: string } | null): number {
    const wrap = (content: string[]) => (fenced ? "```\n" + [fenced.header, ...content].join("\n") + "\n```" : content.join("\n"));
    let current: string[] = [];
    let shown = 0;
    let first = true;
    const flush = () => {
      if (current.length === 0) return true;
      const text = (first ? `${title}\n` : "") + wrap(current);
      if (!this.push(text)) return false;
      first = false;
      current = [];
      return true;
    };
    for (const line of lines) {
      const candidate = (first ? `${title}\n` : "") + wrap([...current, line]);
      if (candidate.length > SLACK_LIMITS.sectionText) {
        if (!flush()) return shown - current.length;
      }
      const next = (first ? `${title}\n` : "") + wrap([...current, line]);
      // Keep room for the section being built plus one more (the "more" note).
      if (!this.fits(next, 2)) break;
      current.push(line);
      shown++;
    }
    if (!flush()) return shown - current.length;
    return shown;
  }
}

function kindLines(diff: DigestDiff, kind: "added" | "removed"): { header: string; lines: string[] } {
  const rows = kind === "added" ? diff.addedRows : diff.removedRows;
  const { header, lines } = tableLines(rowsTable(rows, diff.columns));
  return { header, lines };
}

function changedLines(diff: DigestDiff): string[] {
  return diff.changedRows.map(
    (c) => `• ${escapeMrkdwn(keyText(c.after, diff.key))}: ${escapeMrkdwn(describeRowChange(c, diff.columns, diff.key))}`,
  );
}

/** The one digest message: the delivery's own header and text, the counts, then the first rows of each kind. */
export function renderDigestMessage(
  template: MessageTemplate,
  values: TemplateValues,
  diff: DigestDiff,
  opts: RenderOptions & { model: string },
): SlackPayload {
  const head = renderMessage({ header: template.header, text: template.text }, { ...values, ...digestValues(diff) }, undefined, opts);
  const footer = head.blocks!.pop()!;
  const used = JSON.stringify(head.blocks).length + JSON.stringify(footer).length;
  const budget = new SectionBudget(SLACK_LIMITS.blocks - head.blocks!.length - 1, SLACK_LIMITS.budgetText - used);
  budget.push(`*What changed in ${escapeMrkdwn(opts.model)}:* ${describeDigestCounts(diff)}`);
  const notes: string[] = [];
  const section = (kind: "added" | "changed" | "removed", total: number, lines: string[], fenced: { header: string } | null) => {
    if (total === 0) return;
    const title = `*${kind[0]!.toUpperCase()}${kind.slice(1)}* (${count(total)})`;
    const shown = budget.pushLines(title, lines, fenced);
    if (shown < total) notes.push(`${count(total - shown)} more ${kind}`);
  };
  const added = kindLines(diff, "added");
  section("added", diff.added, added.lines, { header: added.header });
  section("changed", diff.changed, changedLines(diff), null);
  const removed = kindLines(diff, "removed");
  section("removed", diff.removed, removed.lines, { header: removed.header });
  const blocks = [...head.blocks!, ...budget.blocks];
  if (notes.length) {
    const link = opts.runUrl ? ` · <${opts.runUrl}|see the run>` : "";
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `…and ${notes.join(", ")}${link}` }] });
  }
  blocks.push(footer);
  return { text: clip(`${head.text}: ${describeDigestCounts(diff)}`, 300), blocks };
}

/**
 * One message per changed row (added, changed, removed, in that order, by key) up to `maxRows`,
 * then one message counting the rest, so a large change cannot flood a channel.
 */
export function renderPerRowMessages(
  template: MessageTemplate,
  values: TemplateValues,
  diff: DigestDiff,
  config: DeliveryDigestConfig,
  opts: RenderOptions & { model: string },
): SlackPayload[] {
  const cap = config.maxRows ?? DEFAULT_DIGEST_ROWS;
  const all = [
    ...diff.addedRows.map((row) => ({ kind: "Added", row, change: null })),
    ...diff.changedRows.map((c) => ({ kind: "Changed", row: c.after, change: c })),
    ...diff.removedRows.map((row) => ({ kind: "Removed", row, change: null })),
  ].slice(0, cap);
  const filled = { ...values, ...digestValues(diff) };
  const messages = all.map(({ kind, row, change }) => {
    const payload = renderMessage(
      { header: template.header, text: template.text },
      filled,
      change ? undefined : rowsTable([row], diff.columns),
      opts,
    );
    const what = change
      ? `*${kind}* ${escapeMrkdwn(keyText(row, diff.key))}: ${escapeMrkdwn(describeRowChange(change, diff.columns, diff.key))}`
      : `*${kind}* ${escapeMrkdwn(keyText(row, diff.key))}`;
    const at = payload.blocks!.findIndex((b) => b.type === "section" && b.text.text.startsWith("```"));
    payload.blocks!.splice(at === -1 ? payload.blocks!.length - 1 : at, 0, {
      type: "section",
      text: { type: "mrkdwn", text: clip(what, SLACK_LIMITS.sectionText) },
    });
    return { ...payload, text: clip(`${kind}: ${keyText(row, diff.key)}`, 300) };
  });
  const total = diff.added + diff.changed + diff.removed;
  if (total > messages.length) {
    const rest = total - messages.length;
    messages.push(
      renderMessage(
        {
          header: template.header,
          text: `…and ${plural(rest, "more change")} in ${escapeMrkdwn(opts.model)} (${describeDigestCounts(diff)} in all).`,
        },
        filled,
        undefined,
        opts,
      ),
    );
  }
  return messages;
}

/** The optional note a first run sends instead of a diff. */
export function renderBaselineNote(
  values: TemplateValues,
  diff: DigestDiff,
  opts: RenderOptions & { model: string; header?: string },
): SlackPayload {
  return renderMessage(
    {
      header: opts.header,
      text: `Baseline taken: ${plural(diff.rows, "row")} of \`${escapeMrkdwn(opts.model)}\` by ${escapeMrkdwn(diff.key.join(", "))}. From the next run, only rows added, changed or removed are sent.`,
    },
    values,
    undefined,
    opts,
  );
}
