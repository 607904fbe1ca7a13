// The polling loop behind useLiveStatus, kept free of React so it can be tested with fake timers.

export type PollOutcome = "continue" | "stop";

/** The part of `document` the loop needs; a stand-in in tests. */
export type VisibilitySource = {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: "visibilitychange", listener: () => void): void;
  removeEventListener(type: "visibilitychange", listener: () => void): void;
};

export type PollerOptions<T> = {
  url: string;
  /** Between answers while all is well. */
  intervalMs: number;
  /** Failed polls back off (interval, 2×, 4×, …) up to this. */
  maxIntervalMs: number;
  /** Each answer, newest first wins; return "stop" once nothing more will change. */
  onData: (data: T) => PollOutcome | void;
  /** 401, 403 or 404: signed out, no longer allowed, or deleted. Polling stops. */
  onGone: (status: number) => void;
  /** Failed polls in a row (0 again after an answer). */
  onFailures?: (count: number) => void;
  doc?: VisibilitySource;
  fetchImpl?: typeof fetch;
};

export type Poller = {
  /** Polls every interval, the first one an interval from now (the page was just rendered). */
  start(): void;
  stop(): void;
  /** Asks now, and ignores any answer to an earlier question (the state just changed here). */
  pollNow(): void;
  dispose(): void;
};

const GONE = new Set([401, 403, 404]);

export function backoffDelay(failures: number, intervalMs: number, maxIntervalMs: number): number {
  return failures <= 1 ? intervalMs : Math.min(maxIntervalMs, intervalMs * 2 ** (failures - 1));
}

export function createPoller<T>(options: PollerOptions<T>): Poller {
  const doc = options.doc ?? (typeof document === "undefined" ? undefined : document);
  const fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  const controller = new AbortController();
  let disposed = false;
  let running = false;
  /** Bumped by start/stop, so a loop iteration from an earlier start does not carry on. */
  let run = 0;
  /** Bumped by every request and by pollNow: only the newest question's answer is used. */
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loopBusy = false;
  /** A tick found the tab hidden and waits for it to be shown. */
  let parked = false;
  let failures = 0;

  const hidden = () => doc?.visibilityState === "hidden";

  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  };

  const fail = (mine: number): PollOutcome | "stale" => {
    if (disposed) return "stop";
    if (mine !== generation) return "stale";
    failures++;
    options.onFailures?.(failures);
    return "continue";
  };

  async function request(): Promise<PollOutcome | "stale"> {
    const mine = ++generation;
    let res: Response;
    let body: T;
    try {
      res = await fetchImpl(options.url, { cache: "no-store", signal: controller.signal });
      if (disposed) return "stop";
      if (GONE.has(res.status)) {
        if (mine !== generation) return "stale";
        options.onGone(res.status);
        return "stop";
      }
      if (!res.ok) return fail(mine);
      body = (await res.json()) as T;
    } catch {
      // A network blip, an abort or a body that is not JSON (a proxy's error page).
      return fail(mine);
    }
    if (disposed) return "stop";
    if (mine !== generation) return "stale";
    if (failures) {
      failures = 0;
      options.onFailures?.(0);
    }
    return options.onData(body) === "stop" ? "stop" : "continue";
  }

  async function tick() {
    timer = undefined;
    if (!running) return;
    if (hidden()) {
      // No requests from a tab nobody looks at; ask at once when it is shown again.
      parked = true;
      return;
    }
    const mine = run;
    loopBusy = true;
    const outcome = await request();
    loopBusy = false;
    if (!running || mine !== run) return;
    if (outcome === "stop") {
      running = false;
      return;
    }
    // "stale": pollNow asked a newer question while this one was out; ask it now.
    schedule(outcome === "stale" ? 0 : backoffDelay(failures, options.intervalMs, options.maxIntervalMs));
  }

  const onVisibility = () => {
    if (running && parked && !hidden()) {
      parked = false;
      schedule(0);
    }
  };
  doc?.addEventListener("visibilitychange", onVisibility);

  return {
    start() {
      if (disposed || running) return;
      running = true;
      run++;
      parked = false;
      loopBusy = false;
      schedule(options.intervalMs);
    },
    stop() {
      running = false;
      run++;
      parked = false;
      clearTimeout(timer);
    },
    pollNow() {
      if (disposed) return;
      if (!running) {
        void request();
        return;
      }
      if (loopBusy) {
        generation++;
        return;
      }
      parked = false;
      clearTimeout(timer);
      void tick();
    },
    dispose() {
      disposed = true;
      running = false;
      clearTimeout(timer);
      controller.abort();
      doc?.removeEventListener("visibilitychange", onVisibility);
    },
  };
}
