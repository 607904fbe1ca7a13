"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { createPoller, type PollOutcome, type Poller } from "./poller";

export type { PollOutcome } from "./poller";

export type LiveStatusOptions<T> = {
  /** The JSON route to poll. */
  url: string;
  /** Poll while true; a page that opens on something finished does not poll at all. */
  enabled: boolean;
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Each answer; return "stop" once the thing has finished (then `enabled` usually turns false). */
  onData: (data: T) => PollOutcome | void;
  /** 401, 403 or 404: polling stops; usually `router.refresh()` so the server page decides. */
  onGone: (status: number) => void;
};

/**
 * The one live-status loop of the UI (dataset loads, model builds, runs): polls `url` while
 * `enabled`, one request at a time, pauses while the tab is hidden and asks at once when it is
 * shown, backs off after failures, and stops on "stop" or when the resource is gone.
 * `failures` counts failed polls in a row, for a "reconnecting" hint; `pollNow` asks at once and
 * ignores answers to questions asked before (after a retry or cancel), even when not polling.
 */
export function useLiveStatus<T>({ url, enabled, intervalMs = 1_000, maxIntervalMs = 10_000, onData, onGone }: LiveStatusOptions<T>): {
  failures: number;
  pollNow: () => void;
} {
  const [failures, setFailures] = useState(0);
  const handlers = useRef({ onData, onGone });
  useLayoutEffect(() => {
    handlers.current = { onData, onGone };
  });
  const poller = useRef<Poller | null>(null);

  useEffect(() => {
    const p = createPoller<T>({
      url,
      intervalMs,
      maxIntervalMs,
      onData: (data) => handlers.current.onData(data),
      onGone: (status) => handlers.current.onGone(status),
      onFailures: setFailures,
    });
    poller.current = p;
    if (enabled) p.start();
    return () => {
      p.dispose();
      if (poller.current === p) poller.current = null;
    };
  }, [url, enabled, intervalMs, maxIntervalMs]);

  const pollNow = useCallback(() => poller.current?.pollNow(), []);
  return { failures, pollNow };
}
