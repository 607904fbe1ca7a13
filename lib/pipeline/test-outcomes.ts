import { listBatchBuilds } from "@/db/queries/models";
import { getRunStep } from "@/db/queries/pipelines";
import type { TestResult } from "@/db/schema/models";

export type RunTestResult = TestResult & { model: string };

/** Every data test result of a run's model builds (the transform step's batch), in build order. */
export async function runTestResults(runId: string): Promise<RunTestResult[]> {
  const transform = await getRunStep(runId, "transform");
  const batchId = transform?.progress?.batchId;
  const builds = batchId ? await listBatchBuilds(batchId) : [];
  return builds.flatMap((b) => b.testResults.map((t) => ({ ...t, model: b.modelName })));
}

/** One line per test for logs, warnings and alerts: "orders: not_null(id) failed (3 failing rows)". */
export function describeTestOutcome(t: RunTestResult): string {
  if (t.status === "error") return `${t.model}: ${t.name} could not run — ${t.error ?? "error"}`;
  const rows = `${t.failingRows} failing row${t.failingRows === 1 ? "" : "s"}`;
  return `${t.model}: ${t.name} ${t.status} (${rows})`;
}
