import type { DatasetLoad, LoadError } from "@/db/schema/datasets";

/** The part of a load the live status shows, as it crosses to the browser (dates as ISO text). */
export type LoadView = {
  id: string;
  status: DatasetLoad["status"];
  phase: string | null;
  bytesRead: number;
  bytesTotal: number | null;
  rowsLoaded: number;
  error: LoadError | null;
  skippedCount: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

type LoadLike = Omit<DatasetLoad, "createdAt" | "startedAt" | "finishedAt" | "progressAt"> & {
  createdAt: Date | string;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
};

const iso = (d: Date | string | null): string | null => (d === null ? null : typeof d === "string" ? d : d.toISOString());

/** From a database row (server) or the polling route's JSON (browser). */
export function toLoadView(load: LoadLike): LoadView {
  return {
    id: load.id,
    status: load.status,
    phase: load.phase,
    bytesRead: Number(load.bytesRead ?? 0),
    bytesTotal: load.bytesTotal === null || load.bytesTotal === undefined ? null : Number(load.bytesTotal),
    rowsLoaded: Number(load.rowsLoaded ?? 0),
    error: load.error ?? null,
    skippedCount: Array.isArray(load.skippedRows) ? load.skippedRows.length : 0,
    createdAt: iso(load.createdAt) ?? new Date(0).toISOString(),
    startedAt: iso(load.startedAt),
    finishedAt: iso(load.finishedAt),
  };
}
