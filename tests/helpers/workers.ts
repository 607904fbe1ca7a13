import type { ChildProcess } from "node:child_process";
import { cleanEnv, startWorkerProcess, waitFor } from "./processes";

export type WorkerHandle = { child: ChildProcess; output: () => string; stop: () => Promise<void>; kill: () => Promise<void> };

/** Real `npm run worker` processes against the test database. */
export async function startWorker(env: Record<string, string | undefined>): Promise<WorkerHandle> {
  const { child, output } = startWorkerProcess(cleanEnv({ LOG_LEVEL: "info", ...env }));
  await waitFor(() => output().includes("worker ready") || child.exitCode !== null, 60_000, "worker ready");
  if (child.exitCode !== null) throw new Error(`worker exited early:\n${output()}`);
  const exited = () =>
    new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
    );
  return {
    child,
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited();
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited();
    },
  };
}
