import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, createPoller, type VisibilitySource } from "./poller";

class FakeDoc implements VisibilitySource {
  visibilityState: DocumentVisibilityState = "visible";
  private listeners = new Set<() => void>();
  addEventListener(_: "visibilitychange", l: () => void) {
    this.listeners.add(l);
  }
  removeEventListener(_: "visibilitychange", l: () => void) {
    this.listeners.delete(l);
  }
  set(state: DocumentVisibilityState) {
    this.visibilityState = state;
    for (const l of this.listeners) l();
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A fetch whose answers the test hands out one by one. */
function scriptedFetch() {
  const pending: { resolve: (r: Response) => void; reject: (e: unknown) => void }[] = [];
  const fn = vi.fn(
    () =>
      new Promise<Response>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  );
  return {
    fn: fn as unknown as typeof fetch,
    calls: () => fn.mock.calls.length,
    answer: async (r: Response | Error) => {
      const next = pending.shift();
      if (!next) throw new Error("no request is waiting");
      if (r instanceof Error) next.reject(r);
      else next.resolve(r);
      await vi.advanceTimersByTimeAsync(0);
    },
    waiting: () => pending.length,
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup(onData = vi.fn((_: { n: number; done?: boolean }) => undefined as "stop" | undefined)) {
  const doc = new FakeDoc();
  const net = scriptedFetch();
  const onGone = vi.fn();
  const onFailures = vi.fn();
  const poller = createPoller<{ n: number; done?: boolean }>({
    url: "/api/x",
    intervalMs: 1000,
    maxIntervalMs: 8000,
    onData,
    onGone,
    onFailures,
    doc,
    fetchImpl: net.fn,
  });
  return { doc, net, onData, onGone, onFailures, poller };
}

describe("createPoller", () => {
  it("asks one interval after start, one request at a time, until onData says stop", async () => {
    const onData = vi.fn((d: { n: number; done?: boolean }) => (d.done ? ("stop" as const) : undefined));
    const { net, poller } = setup(onData);
    poller.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(net.calls()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.calls()).toBe(1);
    // A slow answer: no second request while the first is out.
    await vi.advanceTimersByTimeAsync(5000);
    expect(net.calls()).toBe(1);
    await net.answer(json({ n: 1 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.calls()).toBe(2);
    await net.answer(json({ n: 2, done: true }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.calls()).toBe(2);
    expect(onData.mock.calls.map((c) => c[0].n)).toEqual([1, 2]);
  });

  it("backs off after failures and says how many in a row, then recovers", async () => {
    const { net, poller, onFailures, onData } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    await net.answer(new TypeError("network"));
    expect(onFailures).toHaveBeenLastCalledWith(1);
    await vi.advanceTimersByTimeAsync(1000); // first retry after one interval
    await net.answer(json({ error: "busy" }, 503));
    expect(onFailures).toHaveBeenLastCalledWith(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(net.waiting()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await net.answer(new Response("<html>proxy error</html>", { status: 200 })); // not JSON
    expect(onFailures).toHaveBeenLastCalledWith(3);
    await vi.advanceTimersByTimeAsync(4000);
    await net.answer(json({ n: 1 }));
    expect(onFailures).toHaveBeenLastCalledWith(0);
    expect(onData).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.waiting()).toBe(1);
  });

  it("caps the backoff", () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, 1000, 8000))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffDelay(0, 1000, 8000)).toBe(1000);
  });

  it("stops on 401, 403 or 404 and hands the status over", async () => {
    const { net, poller, onGone, onData } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    await net.answer(json({ error: { code: "not_found" } }, 404));
    expect(onGone).toHaveBeenCalledWith(404);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.calls()).toBe(1);
    expect(onData).not.toHaveBeenCalled();
  });

  it("does not ask while the tab is hidden, and asks at once when it is shown", async () => {
    const { net, poller, doc } = setup();
    doc.set("hidden");
    poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(net.calls()).toBe(0);
    doc.set("visible");
    await vi.advanceTimersByTimeAsync(0);
    expect(net.calls()).toBe(1);
  });

  it("pollNow asks at once and ignores the answer to a question asked before", async () => {
    const { net, poller, onData } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.calls()).toBe(1);
    poller.pollNow(); // e.g. the user retried the run while a poll was out
    await net.answer(json({ n: 1 })); // the old answer: dropped, and a fresh question goes out at once
    expect(onData).not.toHaveBeenCalled();
    expect(net.calls()).toBe(2);
    await net.answer(json({ n: 2 }));
    expect(onData.mock.calls.map((c) => c[0].n)).toEqual([2]);
  });

  it("pollNow while idle asks once without starting the loop", async () => {
    const { net, poller, onData } = setup();
    poller.pollNow();
    expect(net.calls()).toBe(1);
    await net.answer(json({ n: 7 }));
    expect(onData).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.calls()).toBe(1);
  });

  it("after dispose nothing is asked or reported", async () => {
    const { net, poller, onData, onFailures } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    poller.dispose();
    await net.answer(json({ n: 1 }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.calls()).toBe(1);
    expect(onData).not.toHaveBeenCalled();
    expect(onFailures).not.toHaveBeenCalled();
  });
});
