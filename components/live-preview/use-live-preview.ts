"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { ActionResult } from "@/lib/action-result";

const UNREACHABLE = "Could not reach the server to render the preview. Check your connection and try again.";

/**
 * A preview that follows a form: `body` (the request, serialised) is sent to `action` once per
 * pause in editing (`delayMs`), and an answer to an older request is dropped, so a slow answer
 * never replaces a newer one. `refresh()` asks again at once. Nothing is sent while `enabled` is
 * false. The message template editor and the pipeline form's message card both use it.
 */
export function useLivePreview<T>(
  body: string,
  action: (input: never) => Promise<ActionResult<T>>,
  { delayMs, enabled = true }: { delayMs: number; enabled?: boolean },
): { result: ActionResult<T> | null; waiting: boolean; refresh: () => Promise<void> } {
  const [result, setResult] = useState<ActionResult<T> | null>(null);
  const [waiting, setWaiting] = useState(enabled);
  const sequence = useRef(0);
  const actionRef = useRef(action);
  actionRef.current = action;

  const send = useCallback(async (request: string) => {
    const mine = ++sequence.current;
    setWaiting(true);
    let answer: ActionResult<T>;
    try {
      answer = await actionRef.current(JSON.parse(request) as never);
    } catch {
      answer = { ok: false, formError: UNREACHABLE };
    }
    if (mine !== sequence.current) return;
    setResult(answer);
    setWaiting(false);
  }, []);

  useEffect(() => {
    // Any answer still on its way is for an older body (or for a preview now switched off): drop it.
    sequence.current++;
    setWaiting(enabled);
    if (!enabled) return;
    const timer = setTimeout(() => void send(body), delayMs);
    return () => clearTimeout(timer);
  }, [body, enabled, delayMs, send]);

  const refresh = useCallback(() => send(body), [send, body]);
  return { result, waiting, refresh };
}
