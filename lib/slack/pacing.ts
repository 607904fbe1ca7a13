import { getSql } from "@/db";

export const WEBHOOK_INTERVAL_MS = 1000;

const localQueues = new Map<string, Promise<unknown>>();

/** One turn at a time per key within this process, so at most one connection waits on the row lock. */
function serializeLocally<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = localQueues.get(key) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(fn);
  localQueues.set(key, next);
  // The caller handles next's rejection; this bookkeeping branch must not become an unhandled one.
  next
    .finally(() => {
      if (localQueues.get(key) === next) localQueues.delete(key);
    })
    .catch(() => {});
  return next;
}

/**
 * Runs one post to a webhook at most once per second across every worker: the webhook's row in
 * webhook_slots is locked for the length of the post, and the next post may start only a second
 * after the previous one finished. Measured from the finish, Slack never sees two posts to one
 * webhook closer than a second, whatever the network's jitter.
 */
export function withWebhookTurn<T>(destinationId: string, post: () => Promise<T>): Promise<T> {
  return serializeLocally(
    destinationId,
    () =>
      getSql().begin(async (tx) => {
        await tx`insert into relayboard.webhook_slots (destination_id) values (${destinationId}) on conflict do nothing`;
        const [slot] = await tx`
        select greatest(0, extract(epoch from (next_allowed_at - clock_timestamp())) * 1000)::int as wait_ms
        from relayboard.webhook_slots where destination_id = ${destinationId} for update`;
        const wait = Number(slot?.wait_ms ?? 0);
        if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, WEBHOOK_INTERVAL_MS)));
        try {
          return await post();
        } finally {
          await tx`update relayboard.webhook_slots set next_allowed_at = clock_timestamp() + make_interval(secs => ${WEBHOOK_INTERVAL_MS / 1000})
          where destination_id = ${destinationId}`;
        }
      }) as Promise<T>,
  );
}
