import os from "node:os";
import crypto from "node:crypto";
import { PgBoss } from "pg-boss";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/log";
import { bossOptions } from "@/lib/queue/boss";
import { listenForJobs } from "@/lib/queue/wake";
import { nativeScanRecords } from "@/lib/csv/native-scan";
import { closeDb, getSql } from "@/db";
import { upsertWorkerHeartbeat, updateWorkerStopped } from "@/db/queries/system";
import { prepareDatabase } from "@/lib/database/prepare";
import { jobRegistry } from "@/jobs/registry";
import { ensureQueues } from "@/lib/queue/ensure-queues";
import type { JobContext } from "@/lib/queue/contract";
import { WorkerMustRestartError } from "@/lib/pipeline/step-runner";
import { reapOrphanedSteps, reapStaleSteps } from "@/lib/pipeline/reaper";
import { fireDueSchedules } from "@/lib/pipeline/scheduler";
import { checkFreshness } from "@/lib/pipeline/freshness-check";

const HEARTBEAT_MS = 5_000;
const HOUSEKEEPING_MS = 5_000;

/** `npm run worker`: plain Node (nothing from next/*), runs every job in the registry. */
async function main(): Promise<void> {
  const env = getEnv();
  const workerId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
  const log = getLogger().child({ role: "worker", workerId });
  const database = await prepareDatabase({ log });

  const boss = new PgBoss(bossOptions(database.url, "worker"));
  boss.on("error", (err) => log.error({ err }, "queue error"));
  await boss.start();
  await ensureQueues(boss);

  // A stray rejection must not take down every job this worker holds; log it loudly instead.
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled rejection"));

  const shutdownController = new AbortController();
  const beat = () =>
    upsertWorkerHeartbeat({ id: workerId, hostname: os.hostname(), pid: process.pid }).catch((err) =>
      log.warn({ err: String(err) }, "heartbeat failed"),
    );
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_MS);

  const workerIds = new Map<string, string[]>();
  const notifyWorkers = (queue: string) => {
    for (const id of workerIds.get(queue) ?? []) boss.notifyWorker(id);
  };
  for (const job of jobRegistry.flatMap((j) => Array.from({ length: j.slots ?? 1 }, () => j))) {
    const id = await boss.work(job.name, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([item]) => {
      if (!item) return;
      const jobLog = log.child({ job: job.name, jobId: item.id });
      const payload = job.schema.safeParse(item.data);
      if (!payload.success) {
        // A payload that can never be valid must not be retried forever.
        jobLog.error({ issues: payload.error.issues }, "invalid job payload");
        throw new Error(`invalid payload for ${job.name}`);
      }
      const ctx: JobContext = {
        jobId: item.id,
        workerId,
        log: jobLog,
        signal: shutdownController.signal,
        retryCount: item.retryCount,
        isLastAttempt: item.retryCount >= item.retryLimit,
      };
      const started = Date.now();
      try {
        await job.handle(payload.data, ctx);
        jobLog.info({ ms: Date.now() - started }, "job done");
      } catch (err) {
        jobLog.error({ err, ms: Date.now() - started }, "job failed");
        if (err instanceof WorkerMustRestartError) {
          // Its step is already handed on; a supervisor (compose, systemd, the launcher) starts a
          // fresh worker, and anything else this one held is recovered as after a crash.
          jobLog.fatal({ reason: err.message }, "exiting so that a fresh worker takes over");
          process.exit(1);
        }
        throw err;
      } finally {
        // A run's next step was just enqueued: fetch again now instead of after the poll interval.
        notifyWorkers(job.name);
      }
    });
    workerIds.set(job.name, [...(workerIds.get(job.name) ?? []), id]);
  }
  // Jobs enqueued elsewhere (the web process, other workers) are announced: fetch at once.
  await listenForJobs(getSql(), notifyWorkers).catch((err) => log.warn({ err: String(err) }, "cannot listen for new jobs; polling only"));
  // Housekeeping at start (a crashed predecessor's step comes back at once) and every few
  // seconds: hand on steps of silent or dead workers, re-enqueue steps whose job was lost, fire
  // due schedules. Every worker may do it; each operation is safe to run concurrently.
  const housekeep = () => {
    void reapStaleSteps(log, workerId)
      .then(() => reapOrphanedSteps(log))
      .catch((err) => log.warn({ err: String(err) }, "reaper failed"));
    void fireDueSchedules(log).catch((err) => log.warn({ err: String(err) }, "scheduler failed"));
    void checkFreshness(log).catch((err) => log.warn({ err: String(err) }, "freshness check failed"));
  };
  housekeep();
  const housekeeping = setInterval(housekeep, HOUSEKEEPING_MS);
  log.info({ jobs: jobRegistry.map((j) => j.name), nativeCsvScanner: nativeScanRecords() !== null }, "worker ready");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = env.workerShutdownGraceSeconds * 1000;
    log.info({ signal, graceMs }, "worker stopping: no new jobs, waiting for running ones");
    // Whatever happens below, the process is gone within the grace period plus a little.
    setTimeout(() => {
      log.error("grace period exceeded; exiting");
      process.exit(1);
    }, graceMs + 3_000).unref();
    clearInterval(heartbeat);
    clearInterval(housekeeping);
    try {
      await boss.stop({ graceful: true, timeout: graceMs, close: true });
      shutdownController.abort();
      await updateWorkerStopped(workerId).catch(() => {});
      await closeDb();
      await database.stop();
      log.info("worker stopped");
      process.exit(0);
    } catch (err) {
      log.error({ err }, "error while stopping");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  getLogger().fatal({ err: err instanceof Error ? err.message : String(err) }, "worker failed to start");
  process.exit(1);
});
