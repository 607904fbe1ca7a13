"use client";

import { createContext, useContext, useEffect, useRef, useState, useTransition, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { useLiveStatus } from "@/components/live-status/use-live-status";
import { toLoadView } from "./load-view";
import { decide, liveView, snapshotKey, type DatasetSnapshot, type LatestAnswer, type LiveView } from "./live-state";

/** While a load runs: every second. Otherwise a slow look, so a load started elsewhere (a schedule, the API, a colleague) shows up. */
const ACTIVE_MS = 1_000;
const IDLE_MS = 15_000;
/** How long "finishing" may wait for the re-read page before the poll's own answer is shown. */
const REFRESH_GRACE_MS = 10_000;

const LiveContext = createContext<LiveView | null>(null);

/** The page's live state (see live-state.ts); everything that shows the dataset's status reads it. */
export function useDatasetLive(): LiveView {
  const value = useContext(LiveContext);
  if (!value) throw new Error("useDatasetLive outside <DatasetLive>");
  return value;
}

type RawAnswer = { dataset?: LatestAnswer["dataset"]; load: Parameters<typeof toLoadView>[0] | null };

export function DatasetLive({ snapshot, children }: { snapshot: DatasetSnapshot; children: ReactNode }) {
  const router = useRouter();
  const [, startTransition] = useTransition();
  const [running, setRunning] = useState<LiveView["load"]>(null);
  const [finishing, setFinishing] = useState(false);
  const [ended, setEnded] = useState<LatestAnswer | null>(null);
  const waited = useRef(0);
  const refreshedFor = useRef<string | null>(null);

  // A new snapshot from the server replaces whatever the poll had added (derived state, reset while rendering).
  const key = snapshotKey(snapshot);
  const [seenKey, setSeenKey] = useState(key);
  if (seenKey !== key) {
    setSeenKey(key);
    setRunning(null);
    setFinishing(false);
    setEnded(null);
  }

  const view = liveView({ snapshot, running, finishing, ended });
  const refresh = () => startTransition(() => router.refresh());

  useLiveStatus<RawAnswer>({
    url: `/api/datasets/${snapshot.datasetId}/loads/latest`,
    enabled: !finishing,
    intervalMs: view.active ? ACTIVE_MS : IDLE_MS,
    maxIntervalMs: 60_000,
    onData: (body) => {
      const answer: LatestAnswer = { dataset: body.dataset, load: body.load ? toLoadView(body.load) : null };
      const next = decide(snapshot, answer, waited.current);
      if (next.kind === "live") {
        waited.current = 0;
        setRunning(answer.load);
        // Once per load: the server's render learns a load is busy (its buttons disable).
        if (next.refresh && refreshedFor.current !== answer.load!.id) {
          refreshedFor.current = answer.load!.id;
          refresh();
        }
      } else if (next.kind === "wait") {
        waited.current++;
      } else if (next.kind === "finish") {
        waited.current = 0;
        // Already shown after a re-read that did not land: ask again, quietly.
        if (ended?.load?.id === answer.load?.id && ended?.load?.status === answer.load?.status) {
          refresh();
          return;
        }
        setEnded(answer);
        setFinishing(true);
        refresh();
        return "stop";
      }
    },
    // Signed out, or the dataset is gone: the server page decides what to show.
    onGone: () => refresh(),
  });

  // The re-read page normally lands in well under a second; if it does not, stop saying "finishing".
  useEffect(() => {
    if (!finishing) return;
    const timer = setTimeout(() => setFinishing(false), REFRESH_GRACE_MS);
    return () => clearTimeout(timer);
  }, [finishing]);

  return <LiveContext.Provider value={view}>{children}</LiveContext.Provider>;
}
