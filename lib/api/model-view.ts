import { testCounts } from "@/lib/transform/test-severity";
import { listLatestBuilds } from "@/db/queries/models";
import type { Model, ModelBuild, SnapshotConfig } from "@/db/schema/models";

export type ModelView = {
  name: string;
  description: string;
  sql: string;
  materialization: Model["materialization"];
  uniqueKey: string[];
  /** Snapshot models' history rule; null for the others. */
  snapshot: SnapshotConfig | null;
  tests: Model["tests"];
  columnDescriptions: Record<string, string>;
  revision: number;
  lastBuild: {
    status: ModelBuild["status"];
    rows: number | null;
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  } | null;
};

export function modelView(model: Model, build: ModelBuild | undefined): ModelView {
  return {
    name: model.name,
    description: model.description,
    sql: model.sql,
    materialization: model.materialization,
    uniqueKey: model.uniqueKey,
    snapshot: model.snapshot ?? null,
    tests: model.tests,
    columnDescriptions: model.columnDescriptions,
    revision: model.revision,
    lastBuild: build
      ? {
          status: build.status,
          rows: build.rows,
          error: build.error?.message ?? null,
          startedAt: build.startedAt?.toISOString() ?? null,
          finishedAt: build.finishedAt?.toISOString() ?? null,
        }
      : null,
  };
}

export async function modelViews(models: Model[]): Promise<ModelView[]> {
  const builds = await listLatestBuilds(models.map((m) => m.name));
  return models.map((m) =>
    modelView(
      m,
      builds.find((b) => b.modelName === m.name),
    ),
  );
}

export type BuildBatchStatus = "queued" | "running" | "succeeded" | "failed";

export type BuildBatchView = {
  id: string;
  model: string;
  /** queued until a build starts; running while any is queued or running; then failed if any failed or was skipped. */
  status: BuildBatchStatus;
  url: string;
  tests: { passed: number; warned: number; failed: number };
  builds: {
    model: string;
    status: ModelBuild["status"];
    rows: number | null;
    error: ModelBuild["error"];
    skippedBecause: string | null;
    testResults: ModelBuild["testResults"];
    startedAt: string | null;
    finishedAt: string | null;
  }[];
};

/** Where a build batch is polled: GET /v1/models/{name}/builds/{id}. */
export function buildBatchUrl(model: string, batchId: string): string {
  return `/v1/models/${encodeURIComponent(model)}/builds/${batchId}`;
}

export function buildBatchStatus(builds: Pick<ModelBuild, "status">[]): BuildBatchStatus {
  if (builds.every((b) => b.status === "queued")) return "queued";
  if (builds.some((b) => b.status === "queued" || b.status === "running")) return "running";
  return builds.some((b) => b.status === "failed" || b.status === "skipped") ? "failed" : "succeeded";
}

export function buildBatchView(model: string, batchId: string, builds: ModelBuild[]): BuildBatchView {
  const { passed, warned, failed } = testCounts(builds.flatMap((b) => b.testResults ?? []));
  return {
    id: batchId,
    model,
    status: buildBatchStatus(builds),
    url: buildBatchUrl(model, batchId),
    tests: { passed, warned, failed },
    builds: builds.map((b) => ({
      model: b.modelName,
      status: b.status,
      rows: b.rows,
      error: b.error ?? null,
      skippedBecause: b.skippedBecause,
      testResults: b.testResults ?? [],
      startedAt: b.startedAt?.toISOString() ?? null,
      finishedAt: b.finishedAt?.toISOString() ?? null,
    })),
  };
}
