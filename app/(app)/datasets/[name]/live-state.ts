import type { Dataset } from "@/db/schema/datasets";
import { datasetDisplayStatus, isActiveLoad, type DisplayStatus } from "@/components/dataset-status";
import type { LoadView } from "./load-view";

/**
 * The dataset page's one source of truth for "where is this dataset at": the header's status, rows
 * and last-loaded time, the schema's empty state and the load panel all read it, so they cannot
 * disagree. It is the server's render (a snapshot), moved forward by the latest-load poll only
 * while a load is queued or running; when that load ends the page is re-read as a whole and the
 * new snapshot replaces everything at once. (Before, the panel showed the poll's "Succeeded" for
 * seconds while the header still said "Queued · Never" and the schema had no columns.)
 */

/** The dataset's facts as the server read them, plain JSON for the browser. */
export type DatasetSnapshot = {
  datasetId: string;
  status: Dataset["status"];
  rowCount: number | null;
  lastLoadedAt: string | null;
  columnCount: number;
  load: LoadView | null;
};

/** What the latest-load route answers. */
export type LatestAnswer = {
  dataset?: { status?: Dataset["status"]; rowCount?: number | null; lastLoadedAt?: string | null };
  load: LoadView | null;
};

/** A different snapshot from the server (a refresh landed, or an action started a load). */
export function snapshotKey(s: DatasetSnapshot): string {
  return [s.load?.id ?? "none", s.load?.status ?? "", s.status, s.lastLoadedAt ?? "", s.columnCount, s.rowCount ?? ""].join("|");
}

/**
 * What to do with a poll answer, given the snapshot on screen:
 * - `live`: a load is queued or running: show its progress (and `refresh` once when the server
 *   does not know about it yet, so the page's buttons know a load is busy);
 * - `wait`: it ended, but the worker has not settled the dataset row yet: ask again;
 * - `finish`: it ended: re-read the page, and show "finishing" until the new snapshot arrives;
 * - `same`: nothing new.
 */
export type PollDecision = { kind: "live"; refresh: boolean } | { kind: "wait" } | { kind: "finish" } | { kind: "same" };

export function decide(snapshot: DatasetSnapshot, answer: LatestAnswer, waited: number): PollDecision {
  const load = answer.load;
  if (load && isActiveLoad(load.status)) {
    const known = snapshot.load?.id === load.id && isActiveLoad(snapshot.load.status);
    return { kind: "live", refresh: !known };
  }
  const unchanged = (load?.id ?? null) === (snapshot.load?.id ?? null) && load?.status === snapshot.load?.status;
  if (unchanged && !isActiveLoad(snapshot.load?.status)) return { kind: "same" };
  // The worker writes the load row and the dataset row one after the other; give it a few answers.
  if (answer.dataset?.status === "loading" && waited < 3) return { kind: "wait" };
  return { kind: "finish" };
}

/** The state the page shows. */
export type LiveView = {
  load: LoadView | null;
  status: DisplayStatus;
  rowCount: number | null;
  lastLoadedAt: string | null;
  columnCount: number;
  /** A load is queued or running (or has just ended and the page is being re-read). */
  active: boolean;
  /** The load ended; the page is being re-read and still shows what it showed before. */
  finishing: boolean;
};

export type LiveInputs = {
  snapshot: DatasetSnapshot;
  /** The newest poll answer about a running load, newer than the snapshot. */
  running: LoadView | null;
  finishing: boolean;
  /** The answer that ended the load, shown only when the page could not be re-read in time. */
  ended: LatestAnswer | null;
};

export function liveView({ snapshot, running, finishing, ended }: LiveInputs): LiveView {
  if (ended && !finishing) {
    // The fallback: the re-read did not arrive, so the poll's answer is the best there is.
    const status = ended.dataset?.status ?? snapshot.status;
    return {
      load: ended.load,
      status: datasetDisplayStatus(status, ended.load),
      rowCount: ended.dataset?.rowCount ?? snapshot.rowCount,
      lastLoadedAt: ended.dataset?.lastLoadedAt ?? snapshot.lastLoadedAt,
      columnCount: snapshot.columnCount,
      active: false,
      finishing: false,
    };
  }
  const load = running ?? snapshot.load;
  const base = {
    load,
    rowCount: snapshot.rowCount,
    lastLoadedAt: snapshot.lastLoadedAt,
    columnCount: snapshot.columnCount,
  };
  if (finishing) return { ...base, status: { kind: "loading", label: "Finishing" }, active: true, finishing: true };
  return { ...base, status: datasetDisplayStatus(snapshot.status, load), active: isActiveLoad(load?.status), finishing: false };
}
