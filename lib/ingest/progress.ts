import { updateDatasetLoad } from "@/db/queries/datasets";

type Progress = { phase?: string | null; bytesRead?: number; bytesTotal?: number | null; rows?: number };

const INTERVAL_MS = 1_000;

/**
 * Collects progress as often as the loader likes and writes it at most once a second, so the UI
 * stays live without a database write per chunk.
 */
export function createProgressReporter(loadId: string) {
  let pending: Progress = {};
  let lastWrite = 0;
  let writing: Promise<void> = Promise.resolve();

  const write = () => {
    const values = pending;
    pending = {};
    lastWrite = Date.now();
    writing = writing
      .then(() =>
        updateDatasetLoad(loadId, {
          ...(values.phase !== undefined ? { phase: values.phase } : {}),
          ...(values.bytesRead !== undefined ? { bytesRead: values.bytesRead } : {}),
          ...(values.bytesTotal !== undefined ? { bytesTotal: values.bytesTotal } : {}),
          ...(values.rows !== undefined ? { rowsLoaded: values.rows } : {}),
          progressAt: new Date(),
        }),
      )
      .catch(() => {
        // Progress is best effort; the load's outcome is written separately.
      });
    return writing;
  };

  return {
    update(values: Progress) {
      pending = { ...pending, ...values };
      if (values.phase !== undefined || Date.now() - lastWrite >= INTERVAL_MS) void write();
    },
    flush(): Promise<void> {
      return Object.keys(pending).length ? write() : writing;
    },
  };
}
