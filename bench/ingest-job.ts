import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import readline from "node:readline";
import { readCpuSeconds, readMemory, sampleRss, type RssSummary } from "@/bench/rss";
import { WORKER_ENTRY, WORKER_NODE_ARGS } from "@/jobs/node-args";

/**
 * Relayboard's real job path: a separate `jobs/worker.ts` process picks up the dataset.ingest job
 * that registerUrlDataset (or an upload) enqueues, exactly as in production. App modules are imported lazily so
 * the caller can point process.env at the bench database first.
 */

export type WorkerHandle = {
  pid: number;
  alive: () => boolean;
  /** The worker's last log lines, for failure reports. */
  tail: () => string[];
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>;
};

export type WorkerEnv = {
  repoRoot: string;
  databaseUrl: string;
  dataDir: string;
  allowHosts: string;
  verbose: boolean;
  /** Where each worker writes a V8 CPU profile (`--cpu-prof`), or null for none. */
  cpuProfileDir: string | null;
};

const TAIL_LINES = 40;

/**
 * Spawns the worker and waits for its "worker ready" line. `onSpawn` gets the stop function at
 * once, so a caller interrupted during start-up can still stop the process.
 */
export async function startWorker(
  env: WorkerEnv,
  onSpawn: (stop: () => Promise<void>) => void,
  readyTimeoutMs = 120_000,
): Promise<WorkerHandle> {
  const profile = env.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${env.cpuProfileDir}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...WORKER_NODE_ARGS, WORKER_ENTRY], {
    cwd: env.repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      DATA_DIR: env.dataDir,
      OUTBOUND_ALLOW_HOSTS: env.allowHosts,
      // "worker ready" is an info line, so info it is; a load logs only a couple of lines at info.
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error("could not start the worker process");
  const pid = child.pid;
  const lines: string[] = [];
  let exited = false;
  const exit = once(child, "exit").then(() => {
    exited = true;
  });

  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      if (env.verbose) process.stderr.write(`[worker] ${line}\n`);
      if (line.includes('"msg":"worker ready"')) markReady();
    });
  }

  const stop = async (graceMs = 30_000) => {
    if (exited) return;
    child.kill("SIGTERM");
    const killed = await Promise.race([exit.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (killed && !exited) {
      child.kill("SIGKILL");
      await exit;
    }
  };

  onSpawn(() => stop());
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => "ready" as const),
    exit.then(() => "exited" as const),
    new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), readyTimeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== "ready") {
    await stop(5_000);
    throw new Error(`worker ${outcome === "exited" ? "exited" : "was not ready in time"}:\n${lines.join("\n")}`);
  }
  return { pid, alive: () => !exited, tail: () => [...lines], stop };
}

export type IngestResult = {
  dataset: string;
  status: string;
  error: string | null;
  /** Milliseconds per phase as the worker recorded them in dataset_loads.timings. */
  timings: Record<string, number>;
  rowsLoaded: number;
  /** Request (registerUrlDataset) to finishedAt, both on this machine's clock. */
  totalSeconds: number;
  /** Request to the worker's start of the load (startedAt): registration, an upload, the queue pickup. */
  beforeStartSeconds: number | null;
  inferredTypes: Record<string, string>;
  idleRss: number | null;
  rss: RssSummary;
  /** The load's phase (as polled every 200 ms) when the highest RSS sample was taken. */
  peakPhase: string | null;
  /** User + system CPU seconds the worker used from the request to the end. */
  workerCpuSeconds: number | null;
};

const TERMINAL = new Set(["succeeded", "failed", "unchanged", "cancelled"]);

export async function runIngest(opts: {
  name: string;
  csvUrl: string;
  /**
   * Starts the load some other way than registerUrlDataset (an upload through the route); the
   * clock starts before it is called, so it counts in the total.
   */
  register?: () => Promise<{ datasetId: string; loadId: string }>;
  actor: { id: string };
  worker: WorkerHandle;
  timeoutMs: number;
  log: (msg: string) => void;
}): Promise<IngestResult> {
  const { registerUrlDataset } = await import("@/lib/ingest/register");
  const { getDatasetLoad, getDatasetById } = await import("@/db/queries/datasets");
  const { getBoss } = await import("@/lib/queue/boss");
  appClientsUsed = true;
  await getBoss(); // started before the clock: the web process keeps one for its whole life

  const idleRss = readMemory(opts.worker.pid)?.rss ?? null;
  const cpuBefore = readCpuSeconds(opts.worker.pid);
  const cpuUsed = () => {
    const after = readCpuSeconds(opts.worker.pid);
    return cpuBefore === null || after === null ? null : after - cpuBefore;
  };
  const sampler = sampleRss(opts.worker.pid, 100);
  const started = Date.now();
  let lastProgress = started;
  let result: IngestResult | null = null;
  const phases: { at: number; phase: string }[] = [];
  const phaseAt = (rss: RssSummary) =>
    rss.peakSampledAt === null ? null : (phases.filter((p) => p.at <= rss.peakSampledAt!).pop()?.phase ?? "queued");
  try {
    const { datasetId, loadId } = opts.register
      ? await opts.register()
      : await registerUrlDataset({ name: opts.name, csvUrl: opts.csvUrl }, opts.actor).then((r) => ({
          datasetId: r.dataset.id,
          loadId: r.load.id,
        }));
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const row = await getDatasetLoad(loadId);
      const now = Date.now();
      const phase = row ? (row.phase ?? row.status) : "queued";
      if (phases[phases.length - 1]?.phase !== phase) phases.push({ at: now, phase });
      if (row && TERMINAL.has(row.status)) {
        const rss = sampler.stop();
        const finished = await getDatasetById(datasetId);
        result = {
          dataset: opts.name,
          status: row.status,
          error: row.error ? JSON.stringify(row.error) : null,
          timings: row.timings,
          rowsLoaded: row.rowsLoaded,
          totalSeconds: ((row.finishedAt?.getTime() ?? now) - started) / 1000,
          beforeStartSeconds: row.startedAt ? (row.startedAt.getTime() - started) / 1000 : null,
          inferredTypes: Object.fromEntries((finished?.columns ?? []).map((c) => [c.name, c.overrideType ?? c.inferredType])),
          idleRss,
          rss,
          peakPhase: phaseAt(rss),
          workerCpuSeconds: cpuUsed(),
        };
        return result;
      }
      const failure = !opts.worker.alive()
        ? "worker exited"
        : now - started > opts.timeoutMs
          ? `timed out after ${Math.round(opts.timeoutMs / 1000)} s`
          : null;
      if (failure) {
        const rss = sampler.stop();
        result = {
          dataset: opts.name,
          status: "failed",
          error: `${failure} (phase ${row?.phase ?? "?"}, ${row?.rowsLoaded ?? 0} rows)\n${opts.worker.tail().join("\n")}`,
          timings: row?.timings ?? {},
          rowsLoaded: row?.rowsLoaded ?? 0,
          totalSeconds: (now - started) / 1000,
          beforeStartSeconds: row?.startedAt ? (row.startedAt.getTime() - started) / 1000 : null,
          inferredTypes: {},
          idleRss,
          rss,
          peakPhase: phaseAt(rss),
          workerCpuSeconds: cpuUsed(),
        };
        return result;
      }
      if (now - lastProgress >= 5_000 && row) {
        lastProgress = now;
        const pct = row.bytesTotal ? ` ${((100 * row.bytesRead) / row.bytesTotal).toFixed(0)}%` : "";
        const rss = readMemory(opts.worker.pid)?.rss;
        opts.log(
          `${opts.name}: ${((now - started) / 1000).toFixed(0)} s, ${row.status}/${row.phase ?? "-"}${pct}` +
            `${rss ? `, worker RSS ${(rss / 2 ** 20).toFixed(0)} MiB` : ""}`,
        );
      }
    }
  } finally {
    if (!result) sampler.stop();
  }
}

let appClientsUsed = false;

/** Closes this process's pg-boss and database pool, if runIngest opened them. */
export async function closeAppClients(): Promise<void> {
  if (!appClientsUsed) return;
  appClientsUsed = false;
  const { getBoss } = await import("@/lib/queue/boss");
  const { closeDb } = await import("@/db");
  await (await getBoss()).stop({ graceful: false, close: true }).catch(() => {});
  await closeDb();
}
