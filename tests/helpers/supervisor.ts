import { setTimeout as sleep } from "node:timers/promises";
import { startWorker, type WorkerHandle } from "./workers";

export type Supervisor = {
  /** The worker running now (the next one while a restart is under way). */
  current: () => Promise<WorkerHandle>;
  /** How each worker so far ended: "SIGKILL", "exit 1", "failed to start", … */
  exits: string[];
  /** Every worker's output, oldest first, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
};

/**
 * What compose's `restart: unless-stopped` or systemd does for `npm run worker`: whenever the
 * worker exits (killed, crashed, quitting on purpose, or failing to start because the database is
 * still down), a new one is started a moment later, up to maxRestarts times.
 */
export async function superviseWorker(env: Record<string, string | undefined>, opts: { maxRestarts: number }): Promise<Supervisor> {
  const exits: string[] = [];
  const all: WorkerHandle[] = [];
  const failedStarts: string[] = [];
  let stopping = false;

  const launch = async (): Promise<WorkerHandle> => {
    for (;;) {
      try {
        const worker = await startWorker(env);
        all.push(worker);
        worker.child.once("exit", (code, signal) => {
          exits.push(signal ?? `exit ${code}`);
          if (!stopping && exits.length <= opts.maxRestarts) relaunch();
        });
        return worker;
      } catch (err) {
        exits.push("failed to start");
        failedStarts.push((err as Error).message);
        if (stopping || exits.length > opts.maxRestarts) throw err;
        await sleep(1000);
      }
    }
  };
  let current: Promise<WorkerHandle>;
  const relaunch = () => {
    current = launch();
    // A failed start is reported through current(); this copy must not become an unhandled rejection.
    current.catch(() => {});
  };
  relaunch();
  await current!;

  return {
    current: () => current,
    exits,
    output: () => [...failedStarts, ...all.map((w, i) => `--- worker ${i + 1} ---\n${w.output()}`)].join("\n"),
    stop: async () => {
      stopping = true;
      await current.catch(() => null);
      await Promise.all(all.map((w) => w.stop()));
    },
  };
}
