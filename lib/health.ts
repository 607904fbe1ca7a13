import { getSql } from "@/db";
import { countOnlineWorkers, getLatestProcessedProbe, insertQueueProbe } from "@/db/queries/system";
import { getObjectStore } from "@/lib/storage";
import { getBoss } from "@/lib/queue/boss";
import { APP_VERSION } from "@/lib/env";
import { databaseRoleWarning } from "@/lib/db-role-warning";
import { queueProbeJob } from "@/lib/queue/jobs";
import { getLogger } from "@/lib/log";

export type CheckName = "database" | "storage" | "queue";
export type HealthReport = {
  status: "ok" | "error";
  checks: Record<CheckName, string>;
  version: string;
};

const CHECK_TIMEOUT_MS = 3_000;
const PROBE_INTERVAL_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${CHECK_TIMEOUT_MS / 1000}s`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Short, credential-free reasons: these strings are shown to anonymous callers of /health. */
function shortReason(err: unknown): string {
  const code = (err as { code?: string })?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "28P01" || code === "28000") return "authentication failed";
  if (code === "57P03") return "starting up";
  if (code === "3D000") return "database does not exist";
  const message = err instanceof Error ? err.message : String(err);
  if (/timed out|timeout/i.test(message)) return "timed out";
  if (/not running|not set/i.test(message)) return "not configured";
  return message.replace(/[a-z]+:\/\/\S+/gi, "[url]").slice(0, 80);
}

async function check(label: string, fn: () => Promise<unknown>): Promise<string> {
  try {
    await withTimeout(fn(), label);
    return "ok";
  } catch (err) {
    return shortReason(err);
  }
}

let lastProbeSentAt = 0;

/**
 * Proves pg-boss answers and, every 30 s, sends a round-trip probe for a worker to stamp (the
 * "last queue round trip" on /status). The probe goes out in the background: it is two writes,
 * and a liveness answer should not wait for writes. A probe that fails is tried again by the next
 * check.
 */
async function checkQueue(): Promise<void> {
  const boss = await getBoss();
  await boss.getQueue(queueProbeJob.name);
  if (Date.now() - lastProbeSentAt > PROBE_INTERVAL_MS) {
    lastProbeSentAt = Date.now();
    void sendQueueProbe().catch((err: unknown) => {
      lastProbeSentAt = 0;
      getLogger().warn({ err: String(err) }, "queue probe not sent");
    });
  }
}

async function sendQueueProbe(): Promise<void> {
  const probeId = await insertQueueProbe();
  await (await getBoss()).send(queueProbeJob.name, { probeId });
}

export async function runHealthChecks(): Promise<HealthReport> {
  const [database, storage, queue] = await Promise.all([
    check("database", () => getSql()`select 1`),
    check("storage", () => getObjectStore().check()),
    check("queue", checkQueue),
  ]);
  const checks = { database, storage, queue };
  const ok = Object.values(checks).every((v) => v === "ok");
  return { status: ok ? "ok" : "error", checks, version: APP_VERSION };
}

export type ServiceStatus = HealthReport & {
  /** Set when the app's database login is a superuser (lib/db-role-warning.ts). */
  databaseRoleWarning: string | null;
  workersOnline: number | null;
  lastQueueRoundTrip: { at: Date; latencyMs: number } | null;
};

/** What /status shows (and the dashboard sums up in a line): the checks of /health, plus workers and the last queue round-trip. */
export async function getServiceStatus(): Promise<ServiceStatus> {
  const report = await runHealthChecks();
  if (report.checks.database !== "ok") return { ...report, databaseRoleWarning: null, workersOnline: null, lastQueueRoundTrip: null };
  const [workersOnline, probe, roleWarning] = await Promise.all([countOnlineWorkers(), getLatestProcessedProbe(), databaseRoleWarning()]);
  return {
    ...report,
    databaseRoleWarning: roleWarning,
    workersOnline,
    lastQueueRoundTrip: probe ? { at: probe.processedAt, latencyMs: probe.processedAt.getTime() - probe.sentAt.getTime() } : null,
  };
}
