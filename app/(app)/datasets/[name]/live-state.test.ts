import { describe, expect, it } from "vitest";
import type { LoadView } from "./load-view";
import { decide, liveView, snapshotKey, type DatasetSnapshot } from "./live-state";

function load(status: LoadView["status"], id = "l1"): LoadView {
  return {
    id,
    status,
    phase: status === "running" ? "loading" : null,
    bytesRead: 0,
    bytesTotal: null,
    rowsLoaded: status === "succeeded" ? 5000 : 0,
    error: null,
    skippedCount: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: null,
    finishedAt: null,
  };
}

const queuedSnapshot: DatasetSnapshot = {
  datasetId: "d1",
  status: "new",
  rowCount: null,
  lastLoadedAt: null,
  columnCount: 0,
  load: load("queued"),
};

const loadedSnapshot: DatasetSnapshot = {
  ...queuedSnapshot,
  status: "ready",
  rowCount: 5000,
  lastLoadedAt: "2026-01-01T00:00:03.000Z",
  columnCount: 4,
  load: load("succeeded"),
};

describe("decide", () => {
  it("follows a running load without re-reading the page when the page knows it", () => {
    expect(decide(queuedSnapshot, { load: load("running") }, 0)).toEqual({ kind: "live", refresh: false });
  });

  it("re-reads the page once for a load the page did not know (started elsewhere)", () => {
    expect(decide(loadedSnapshot, { load: load("queued", "l2") }, 0)).toEqual({ kind: "live", refresh: true });
  });

  it("finishes when the load ended and the dataset row has settled", () => {
    expect(decide(queuedSnapshot, { dataset: { status: "ready" }, load: load("succeeded") }, 0)).toEqual({ kind: "finish" });
  });

  it("waits a few answers for the dataset row, then finishes anyway", () => {
    const answer = { dataset: { status: "loading" as const }, load: load("succeeded") };
    expect(decide(queuedSnapshot, answer, 0)).toEqual({ kind: "wait" });
    expect(decide(queuedSnapshot, answer, 3)).toEqual({ kind: "finish" });
  });

  it("does nothing when the answer is what the page shows", () => {
    expect(decide(loadedSnapshot, { dataset: { status: "ready" }, load: load("succeeded") }, 0)).toEqual({ kind: "same" });
    expect(decide({ ...queuedSnapshot, load: null }, { load: null }, 0)).toEqual({ kind: "same" });
  });
});

describe("liveView", () => {
  it("while a load runs, the header status comes from the same load as the panel", () => {
    const view = liveView({ snapshot: queuedSnapshot, running: load("running"), finishing: false, ended: null });
    expect(view.load?.status).toBe("running");
    expect(view.status.kind).toBe("loading");
    expect(view.active).toBe(true);
  });

  it("after the load ends and before the page is re-read, nothing says succeeded", () => {
    const view = liveView({
      snapshot: queuedSnapshot,
      running: load("running"),
      finishing: true,
      ended: { dataset: { status: "ready" }, load: load("succeeded") },
    });
    expect(view.finishing).toBe(true);
    expect(view.status.label).toBe("Finishing");
    expect(view.load?.status).not.toBe("succeeded");
  });

  it("when the re-read never lands, falls back to the poll's answer for status, rows and time together", () => {
    const view = liveView({
      snapshot: queuedSnapshot,
      running: null,
      finishing: false,
      ended: { dataset: { status: "ready", rowCount: 5000, lastLoadedAt: "2026-01-01T00:00:03.000Z" }, load: load("succeeded") },
    });
    expect(view.load?.status).toBe("succeeded");
    expect(view.status.kind).toBe("ready");
    expect(view.rowCount).toBe(5000);
    expect(view.lastLoadedAt).not.toBeNull();
  });

  it("a fresh snapshot has a different key, so it replaces what the poll added", () => {
    expect(snapshotKey(queuedSnapshot)).not.toBe(snapshotKey(loadedSnapshot));
    expect(snapshotKey(loadedSnapshot)).toBe(snapshotKey({ ...loadedSnapshot }));
  });
});
