import { listLatestBuilds } from "@/db/queries/models";
import type { Model, ModelBuild } from "@/db/schema/models";

export type ModelView = {
  name: string;
  description: string;
  sql: string;
  materialization: Model["materialization"];
  uniqueKey: string[];
  tests: Model["tests"];
  columnDescriptions: Record<string, string>;
  revision: number;
  lastBuild: { status: ModelBuild["status"]; rows: number | null; error: string | null; startedAt: string | null; finishedAt: string | null } | null;
};

export function modelView(model: Model, build: ModelBuild | undefined): ModelView {
  return {
    name: model.name,
    description: model.description,
    sql: model.sql,
    materialization: model.materialization,
    uniqueKey: model.uniqueKey,
    tests: model.tests,
    columnDescriptions: model.columnDescriptions,
    revision: model.revision,
    lastBuild: build
      ? { status: build.status, rows: build.rows, error: build.error?.message ?? null, startedAt: build.startedAt?.toISOString() ?? null, finishedAt: build.finishedAt?.toISOString() ?? null }
      : null,
  };
}

export async function modelViews(models: Model[]): Promise<ModelView[]> {
  const builds = await listLatestBuilds(models.map((m) => m.name));
  return models.map((m) => modelView(m, builds.find((b) => b.modelName === m.name)));
}
