import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

/**
 * A Slack-like mock of a Block Kit payload. Everything is rendered as React text (escaped), never
 * as HTML: the payload holds the editor's template and data from CSV cells. Only Slack's own markup
 * is interpreted: &amp;/&lt;/&gt; entities, <url|label> links, *bold*, _italic_, ~strike~, `code`.
 */
type MockBlock =
  | { type: "header"; text: string }
  | { type: "section"; text: string }
  | { type: "context"; texts: string[] }
  | { type: "divider" }
  | { type: "unknown"; label: string };

function asRecord(value: unknown): Record<string, unknown> | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function textOf(value: unknown): string {
  const obj = asRecord(value);
  return typeof obj?.text === "string" ? obj.text : "";
}

/** Reads blocks defensively: stored delivery payloads are plain JSON. */
function toMockBlocks(payload: unknown): { fallback: string; blocks: MockBlock[] } {
  const root = asRecord(payload);
  const fallback = typeof root?.text === "string" ? root.text : "";
  const raw = Array.isArray(root?.blocks) ? (root.blocks as unknown[]) : [];
  const blocks = raw.map((item): MockBlock => {
    const block = asRecord(item);
    switch (block?.type) {
      case "header":
        return { type: "header", text: textOf(block.text) };
      case "section":
        return { type: "section", text: textOf(block.text) };
      case "context":
        return { type: "context", texts: Array.isArray(block.elements) ? block.elements.map(textOf) : [] };
      case "divider":
        return { type: "divider" };
      default:
        return { type: "unknown", label: String(block?.type ?? "block") };
    }
  });
  return { fallback, blocks };
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

const LINK = /<([^<>|]+)(?:\|([^<>]+))?>/g;
// Slack's emphasis only applies at word edges: snake_case names stay as they are.
const EMPHASIS = /(?<![\w*_~`])(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|`[^`\n]+`)(?![\w*_~`])/g;

/** *bold*, _italic_, ~strike~ and `code`, as elements around plain text. */
function emphasis(text: string, keyPrefix: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(EMPHASIS)) {
    const index = match.index ?? 0;
    if (index > last) out.push(decodeEntities(text.slice(last, index)));
    const token = match[1] ?? "";
    const inner = decodeEntities(token.slice(1, -1));
    const key = `${keyPrefix}-e${index}`;
    if (token.startsWith("*")) out.push(<strong key={key}>{inner}</strong>);
    else if (token.startsWith("_")) out.push(<em key={key}>{inner}</em>);
    else if (token.startsWith("~")) out.push(<s key={key}>{inner}</s>);
    else
      out.push(
        <code key={key} className="bg-muted rounded px-1 font-mono text-[0.85em] text-rose-700 dark:text-rose-300">
          {inner}
        </code>,
      );
    last = index + token.length;
  }
  if (last < text.length) out.push(decodeEntities(text.slice(last)));
  return out;
}

/** Slack's inline markup as text: <url|label> shows the label, <!here> shows @here. */
function inline(text: string, keyPrefix: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const index = match.index ?? 0;
    if (index > last) out.push(...emphasis(text.slice(last, index), `${keyPrefix}-${last}`));
    const target = match[1] ?? "";
    const label = match[2];
    if (target.startsWith("!")) {
      out.push(
        <span key={`${keyPrefix}-${index}`} className="rounded bg-amber-100 px-0.5 text-amber-900 dark:bg-amber-900/40 dark:text-amber-100">
          @{decodeEntities(label ?? target.slice(1))}
        </span>,
      );
    } else if (target.startsWith("@") || target.startsWith("#")) {
      out.push(
        <span key={`${keyPrefix}-${index}`} className="rounded bg-sky-100 px-0.5 text-sky-900 dark:bg-sky-900/40 dark:text-sky-100">
          {decodeEntities(label ?? target)}
        </span>,
      );
    } else {
      // Styled like a link but not one: the target is template text, and a preview is no place to follow it.
      out.push(
        <span
          key={`${keyPrefix}-${index}`}
          title={decodeEntities(target)}
          className="text-sky-700 underline underline-offset-2 dark:text-sky-400"
        >
          {decodeEntities(label ?? target)}
        </span>,
      );
    }
    last = index + match[0].length;
  }
  if (last < text.length) out.push(...emphasis(text.slice(last), `${keyPrefix}-${last}`));
  return out;
}

const FENCE = /```([\s\S]*?)```/g;

/** A section's mrkdwn: ``` fences become monospace blocks, the rest stays text with line breaks. */
function MrkdwnText({ text, blockKey }: { text: string; blockKey: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const match of text.matchAll(FENCE)) {
    const index = match.index ?? 0;
    if (index > last) {
      parts.push(
        <p key={`${blockKey}-t${n++}`} className="break-words whitespace-pre-wrap">
          {inline(text.slice(last, index), `${blockKey}-t${n}`)}
        </p>,
      );
    }
    parts.push(
      <pre
        key={`${blockKey}-c${n++}`}
        className="bg-muted/60 overflow-x-auto rounded border px-2 py-1.5 font-mono text-xs leading-relaxed whitespace-pre"
      >
        {decodeEntities((match[1] ?? "").replace(/^\n/, "").replace(/\n$/, ""))}
      </pre>,
    );
    last = index + match[0].length;
  }
  if (last < text.length) {
    const rest = text.slice(last);
    if (rest.trim()) {
      parts.push(
        <p key={`${blockKey}-t${n++}`} className="break-words whitespace-pre-wrap">
          {inline(rest, `${blockKey}-t${n}`)}
        </p>,
      );
    }
  }
  return <div className="flex flex-col gap-1.5">{parts}</div>;
}

export function SlackMessagePreview({
  payload,
  appName = "Relayboard",
  time,
  className,
  testId,
  label = "Slack message preview",
}: {
  payload: unknown;
  appName?: string;
  /** Shown beside the app name, like Slack's timestamp. */
  time?: string;
  className?: string;
  testId?: string;
  label?: string;
}) {
  const { fallback, blocks } = toMockBlocks(payload);
  return (
    <figure
      aria-label={label}
      data-testid={testId}
      className={cn("bg-background flex min-w-0 gap-3 rounded-lg border p-3 text-sm shadow-xs sm:p-4", className)}
    >
      <div
        aria-hidden="true"
        className="bg-primary text-primary-foreground flex size-9 shrink-0 items-center justify-center rounded-md text-xs font-bold"
      >
        RB
      </div>
      <div className="flex min-w-0 flex-1 flex-col gap-2">
        <figcaption className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
          <span className="font-bold">{appName}</span>
          <span className="bg-muted text-foreground rounded px-1 text-[10px] font-semibold tracking-wide uppercase">App</span>
          {time ? <span className="text-muted-foreground text-xs">{time}</span> : null}
        </figcaption>
        {blocks.length === 0 ? (
          <p className="break-words whitespace-pre-wrap">{fallback || "(empty message)"}</p>
        ) : (
          blocks.map((block, i) => {
            const key = `b${i}`;
            switch (block.type) {
              case "header":
                return (
                  <p key={key} className="text-base leading-snug font-bold break-words">
                    {block.text}
                  </p>
                );
              case "section":
                return <MrkdwnText key={key} text={block.text} blockKey={key} />;
              case "context":
                return (
                  <div key={key} className="text-muted-foreground flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
                    {block.texts.map((text, j) => (
                      <span key={`${key}-${j}`} className="break-words whitespace-pre-wrap">
                        {inline(text, `${key}-${j}`)}
                      </span>
                    ))}
                  </div>
                );
              case "divider":
                return <hr key={key} className="border-border" />;
              default:
                return (
                  <p key={key} className="text-muted-foreground text-xs italic">
                    [{block.label} block]
                  </p>
                );
            }
          })
        )}
      </div>
    </figure>
  );
}
