import type { ModelBuild, TestResult } from "@/db/schema/models";

export type BuildStatus = ModelBuild["status"];

/** A build as the browser sees it: plain JSON, dates as ISO strings. */
export type BuildView = {
  id: string;
  modelName: string;
  batchId: string;
  status: BuildStatus;
  rows: number | null;
  error: { message: string; line?: number; column?: number; detail?: string } | null;
  skippedBecause: string | null;
  testResults: TestResult[];
  compiledSql: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export function toBuildView(build: ModelBuild): BuildView {
  return {
    id: build.id,
    modelName: build.modelName,
    batchId: build.batchId,
    status: build.status,
    rows: build.rows,
    error: build.error ?? null,
    skippedBecause: build.skippedBecause,
    testResults: build.testResults ?? [],
    compiledSql: build.compiledSql,
    createdAt: build.createdAt.toISOString(),
    startedAt: build.startedAt?.toISOString() ?? null,
    finishedAt: build.finishedAt?.toISOString() ?? null,
  };
}

export function isBuildActive(status: BuildStatus | null | undefined): boolean {
  return status === "queued" || status === "running";
}

/** When the build last did something: finished, else started, else queued. */
export function buildMoment(build: Pick<BuildView, "createdAt" | "startedAt" | "finishedAt">): string {
  return build.finishedAt ?? build.startedAt ?? build.createdAt;
}
