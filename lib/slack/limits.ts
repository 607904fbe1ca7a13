/** Slack's documented Block Kit limits (and the margins we keep under them). */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  contextElements: 10,
  /** Slack truncates messages past 40,000 characters; we stay well under. */
  totalText: 40_000,
  budgetText: 30_000,
  tableBlockRows: 100,
  tableBlockCells: 20,
} as const;

export type Block =
  | { type: "header"; text: { type: "plain_text"; text: string; emoji?: boolean } }
  | { type: "section"; text: { type: "mrkdwn" | "plain_text"; text: string } }
  | { type: "context"; elements: { type: "mrkdwn" | "plain_text"; text: string }[] }
  | { type: "divider" };

export type SlackPayload = { text: string; blocks?: Block[] };

/** The problem Slack would answer with, or null when the payload fits every limit. */
export function checkPayload(payload: unknown): { error: "invalid_payload" | "invalid_blocks"; detail: string } | null {
  if (!payload || typeof payload !== "object") return { error: "invalid_payload", detail: "payload is not a JSON object" };
  const { text, blocks } = payload as { text?: unknown; blocks?: unknown };
  if (text !== undefined && typeof text !== "string") return { error: "invalid_payload", detail: "text must be a string" };
  if (!text && !blocks) return { error: "invalid_payload", detail: "no text or blocks" };
  let total = typeof text === "string" ? text.length : 0;
  if (total > SLACK_LIMITS.totalText) return { error: "invalid_payload", detail: "text too long" };
  if (blocks === undefined) return null;
  if (!Array.isArray(blocks)) return { error: "invalid_blocks", detail: "blocks must be an array" };
  if (blocks.length > SLACK_LIMITS.blocks) return { error: "invalid_blocks", detail: `more than ${SLACK_LIMITS.blocks} blocks` };
  for (const [i, block] of blocks.entries()) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted Block Kit JSON, checked field by field below
    const b = block as Record<string, any>;
    switch (b?.type) {
      case "header":
        if (b.text?.type !== "plain_text" || typeof b.text.text !== "string" || !b.text.text)
          return { error: "invalid_blocks", detail: `block ${i}: header needs plain_text` };
        if (b.text.text.length > SLACK_LIMITS.headerText) return { error: "invalid_blocks", detail: `block ${i}: header longer than 150` };
        total += b.text.text.length;
        break;
      case "section":
        if (!["mrkdwn", "plain_text"].includes(b.text?.type) || typeof b.text.text !== "string" || !b.text.text)
          return { error: "invalid_blocks", detail: `block ${i}: section needs text` };
        if (b.text.text.length > SLACK_LIMITS.sectionText)
          return { error: "invalid_blocks", detail: `block ${i}: section text longer than 3000` };
        total += b.text.text.length;
        break;
      case "context":
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > SLACK_LIMITS.contextElements)
          return { error: "invalid_blocks", detail: `block ${i}: context needs 1-10 elements` };
        for (const el of b.elements) {
          if (typeof el?.text !== "string" || !el.text)
            return { error: "invalid_blocks", detail: `block ${i}: context element needs text` };
          total += el.text.length;
        }
        break;
      case "divider":
        break;
      default:
        return { error: "invalid_blocks", detail: `block ${i}: unsupported type ${String(b?.type)}` };
    }
  }
  if (total > SLACK_LIMITS.totalText) return { error: "invalid_blocks", detail: "message longer than 40,000 characters" };
  return null;
}
