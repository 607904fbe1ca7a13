import type { CheckName, ServiceStatus } from "@/lib/health";

export const CHECK_LABELS: Record<CheckName, string> = { database: "Database", storage: "Storage", queue: "Queue" };

export type StatusSummary = { level: "ok" | "warn" | "error"; text: string };

/**
 * The dashboard's one line about the service: whether anything stops runs from happening. The
 * details (each check, workers, the last queue round-trip) are on /status.
 */
export function summarizeServiceStatus(status: Pick<ServiceStatus, "checks" | "workersOnline">): StatusSummary {
  const failing = (Object.keys(CHECK_LABELS) as CheckName[]).filter((name) => status.checks[name] !== "ok");
  if (failing.length) {
    const names = failing.map((name) => CHECK_LABELS[name]);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    return { level: "error", text: `${list} ${names.length === 1 ? "is" : "are"} unavailable` };
  }
  if (status.workersOnline === 0) return { level: "warn", text: "No worker is running: jobs wait until one starts" };
  return { level: "ok", text: "All systems normal" };
}
