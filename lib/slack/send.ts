import { request } from "@/lib/net/outbound";
import { OutboundError } from "@/lib/net/errors";
import type { SlackPayload } from "@/lib/slack/limits";

/**
 * One webhook post with Slack's retry rules. @slack/webhook neither retries nor honours
 * Retry-After, so the policy lives here:
 *   429           → wait Retry-After, try again (not counted as a failure)
 *   5xx, timeouts, connection errors → exponential backoff with jitter, up to maxAttempts
 *   Slack's permanent errors (invalid_payload, invalid_token, no_service, …) → stop at once
 */
export type AttemptRecord = { attempt: number; statusCode?: number; response?: string; error?: string };

export type SendOutcome =
  | { ok: true; statusCode: number; response: string }
  | { ok: false; permanent: boolean; statusCode?: number; response?: string; error: string };

export type SendOptions = {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxRateLimitWaits?: number;
  timeoutMs?: number;
  /** Called before every attempt (bookkeeping). */
  beforeAttempt?: () => Promise<void>;
  /** Runs each attempt; the caller paces posts per webhook here (one per second). */
  paced?: <T>(post: () => Promise<T>) => Promise<T>;
  onAttempt?: (record: AttemptRecord) => Promise<void> | void;
  sleep?: (ms: number) => Promise<void>;
};

const PERMANENT_ERRORS = [
  "invalid_payload",
  "invalid_blocks",
  "invalid_token",
  "action_prohibited",
  "no_service",
  "channel_not_found",
  "channel_is_archived",
  "no_text",
  "too_many_attachments",
  "user_not_found",
  "team_disabled",
];

export function isPermanentAnswer(status: number, body: string): boolean {
  if ([400, 403, 404, 410].includes(status)) return true;
  return PERMANENT_ERRORS.some((e) => body.includes(e)) && status < 500 && status !== 429;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function postToWebhook(url: string, payload: SlackPayload, opts: SendOptions = {}): Promise<SendOutcome> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const baseDelay = opts.baseDelayMs ?? 1000;
  const sleep = opts.sleep ?? defaultSleep;
  const body = JSON.stringify(payload);
  let failures = 0;
  let rateLimitWaits = 0;
  let attempt = 0;
  let last: SendOutcome = { ok: false, permanent: false, error: "not sent" };
  while (failures < maxAttempts) {
    attempt++;
    try {
      const paced = opts.paced ?? ((post) => post());
      const res = await paced(async () => {
        await opts.beforeAttempt?.();
        const answer = await request(url, {
          method: "POST",
          body,
          headers: { "content-type": "application/json; charset=utf-8" },
          connectTimeoutMs: opts.timeoutMs ?? 10_000,
          headersTimeoutMs: opts.timeoutMs ?? 10_000,
          maxBytes: 64 * 1024,
        });
        try {
          await opts.onAttempt?.({ attempt, statusCode: answer.status, response: answer.text.slice(0, 500) });
        } catch (err) {
          // Slack has answered; failing to record it must not turn into a second post.
          if (answer.status >= 200 && answer.status < 300) return Object.assign(answer, { recordError: err as Error });
          throw err;
        }
        return answer;
      });
      const response = res.text.slice(0, 500);
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, response };
      if (res.status === 429 && rateLimitWaits < (opts.maxRateLimitWaits ?? 10)) {
        rateLimitWaits++;
        const retryAfter = Number(res.headers["retry-after"]);
        await sleep(Math.min(Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 1000, 120_000));
        continue;
      }
      last = {
        ok: false,
        permanent: isPermanentAnswer(res.status, response),
        statusCode: res.status,
        response,
        error: `Slack answered ${res.status} ${response}`.trim(),
      };
      if (last.permanent) return last;
    } catch (err) {
      const message = err instanceof OutboundError || err instanceof Error ? err.message : String(err);
      await opts.onAttempt?.({ attempt, error: message });
      last = { ok: false, permanent: false, error: message };
    }
    failures++;
    if (failures < maxAttempts) {
      // Full jitter: a random wait up to the exponential step, so many senders spread out.
      await sleep(Math.round(baseDelay * 2 ** (failures - 1) * (0.5 + Math.random() / 2)));
    }
  }
  return last;
}
