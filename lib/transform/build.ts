import crypto from "node:crypto";
import type { Sql, TransactionSql } from "postgres";
import { getSql } from "@/db";
import { findLatestRetyped, findVersionThatRemoved, listDatasets } from "@/db/queries/datasets";
import { insertModelBuilds, listBatchBuilds, listModels, updateModelBuild } from "@/db/queries/models";
import type { Dataset } from "@/db/schema/datasets";
import type { Model, ModelBuild, TestResult } from "@/db/schema/models";
import { quoteIdent } from "@/lib/csv/headers";
import { buildTypedTable } from "@/lib/ingest/typed-table";
import { compileModel, CompileError } from "@/lib/transform/compile";
import { clipErrorText, clipOptionalErrorText } from "@/lib/transform/error-text";
import { downstreamOf, topologicalOrder, type GraphNode } from "@/lib/transform/dag";
import { runDataTest } from "@/lib/transform/data-tests";
import { materialize } from "@/lib/transform/materialize";
import { inSandbox } from "@/lib/transform/sandbox";
import { referencedNames, type Catalog } from "@/lib/transform/template";

export const BUILD_CONCURRENCY = 2;

export type Project = { models: Model[]; datasets: Dataset[]; catalog: Catalog; graph: GraphNode[] };

export async function loadProject(): Promise<Project> {
  const [models, datasets] = await Promise.all([listModels(), listDatasets()]);
  const catalog = { models: new Set(models.map((m) => m.name)), datasets: new Set(datasets.map((d) => d.name)) };
  const graph: GraphNode[] = [
    ...datasets.map((d) => ({ name: d.name, dependsOn: [] })),
    ...models.map((m) => {
      const { refs, sources } = referencedNames(m.sql);
      return { name: m.name, dependsOn: [...new Set([...refs, ...sources])] };
    }),
  ];
  return { models, datasets, catalog, graph };
}

export type BuildSelection =
  /** These models (or datasets' typed models), optionally with everything downstream. */
  | { names: string[]; withDownstream?: boolean }
  /** Everything downstream of these datasets (after a load). */
  | { afterDatasets: string[] }
  | { all: true };

export type BuildSummary = { batchId: string; builds: ModelBuild[] };

function selectNames(project: Project, selection: BuildSelection): Set<string> {
  let chosen: Set<string>;
  if ("all" in selection) chosen = new Set(project.models.map((m) => m.name));
  else if ("afterDatasets" in selection) chosen = downstreamOf(project.graph, selection.afterDatasets);
  else {
    chosen = new Set(selection.names);
    if (selection.withDownstream) for (const n of downstreamOf(project.graph, selection.names)) chosen.add(n);
  }
  // Replacing a relation drops the views on top of it, so downstream views are always rebuilt.
  const modelsByName = new Map(project.models.map((m) => [m.name, m]));
  for (const name of downstreamOf(project.graph, chosen)) {
    if (modelsByName.get(name)?.materialization === "view") chosen.add(name);
  }
  return chosen;
}

/**
 * Builds models in dependency order, up to BUILD_CONCURRENCY at a time when independent. A model
 * whose upstream failed is skipped (with the reason); upstream results stay in place. Each build
 * runs its data tests afterwards. Every step is recorded in model_builds.
 */
export async function buildModels(selection: BuildSelection, project?: Project, opts: { batchId?: string } = {}): Promise<BuildSummary> {
  const p = project ?? (await loadProject());
  const chosen = selectNames(p, selection);
  const order = topologicalOrder(p.graph).filter((n) => chosen.has(n));
  const batchId = opts.batchId ?? crypto.randomUUID();
  const byName = await batchRows(batchId, order, p);
  const outcome = new Map<string, "succeeded" | "failed" | "skipped">();
  const depsOf = new Map(p.graph.map((n) => [n.name, n.dependsOn]));

  const pending = [...order];
  const running = new Set<Promise<void>>();
  while (pending.length || running.size) {
    const readyIndex = pending.findIndex((name) => (depsOf.get(name) ?? []).every((d) => !chosen.has(d) || outcome.has(d)));
    if (readyIndex === -1 || running.size >= BUILD_CONCURRENCY) {
      if (running.size === 0) throw new Error("build scheduler stalled: no model is ready");
      await Promise.race(running);
      continue;
    }
    const name = pending.splice(readyIndex, 1)[0]!;
    const build = byName.get(name)!;
    const blocked = (depsOf.get(name) ?? []).find((d) => chosen.has(d) && outcome.get(d) !== "succeeded");
    if (blocked) {
      outcome.set(name, "skipped");
      await updateModelBuild(build.id, {
        status: "skipped",
        skippedBecause: `upstream ${blocked} ${outcome.get(blocked) === "skipped" ? "was skipped" : "failed"}`,
        finishedAt: new Date(),
      });
      continue;
    }
    const task = buildOne(p, name, build).then((status) => {
      outcome.set(name, status);
    });
    const tracked = task.finally(() => running.delete(tracked));
    running.add(tracked);
  }
  const final = await listBatchBuilds(batchId);
  return { batchId, builds: final.sort((a, b) => order.indexOf(a.modelName) - order.indexOf(b.modelName)) };
}

/**
 * The batch's build rows, one per model in `order`. A batch id given in advance may already have
 * rows: the one the request made (so the API can show the build as queued at once) or those of an
 * earlier attempt of the same job (a retry, a killed worker). They are reset and reused, so a
 * second run leaves one row per model; a requested row whose model is gone by now is skipped.
 */
async function batchRows(batchId: string, order: string[], p: Project): Promise<Map<string, ModelBuild>> {
  const existing = new Map((await listBatchBuilds(batchId)).map((b) => [b.modelName, b]));
  for (const [name, build] of existing) {
    if (order.includes(name)) {
      await updateModelBuild(build.id, {
        status: "queued",
        error: null,
        skippedBecause: null,
        rows: null,
        compiledSql: null,
        testResults: [],
        startedAt: null,
        finishedAt: null,
      });
    } else if (build.status === "queued" || build.status === "running") {
      await updateModelBuild(build.id, { status: "skipped", skippedBecause: `${name} no longer exists`, finishedAt: new Date() });
    }
  }
  const inserted = await insertModelBuilds(
    order
      .filter((name) => !existing.has(name))
      .map((name) => ({
        batchId,
        modelName: name,
        modelId: p.models.find((m) => m.name === name)?.id ?? null,
        status: "queued" as const,
      })),
  );
  const rows = new Map<string, ModelBuild>();
  for (const name of order) rows.set(name, existing.get(name) ?? inserted.find((b) => b.modelName === name)!);
  return rows;
}

async function buildOne(p: Project, name: string, build: ModelBuild): Promise<"succeeded" | "failed"> {
  await updateModelBuild(build.id, { status: "running", startedAt: new Date() });
  const model = p.models.find((m) => m.name === name);
  try {
    let compiledSql: string;
    let rows: number;
    const countRows = async (sql: Sql | TransactionSql) =>
      Number((await sql.unsafe<[{ n: string }]>(`select count(*)::bigint as n from warehouse.${quoteIdent(name)}`))[0].n);
    if (!model) {
      const dataset = p.datasets.find((d) => d.name === name)!;
      await buildTypedTable(getSql(), dataset.name, dataset.columns);
      compiledSql = "-- generated typed model";
      rows = await countRows(getSql());
    } else {
      // Counted inside the sandbox's transaction: a view runs its functions as whoever reads it,
      // so the app's own connection never reads a relation that user SQL defined.
      ({ compiledSql, rows } = await inSandbox(async (tx) => {
        const built = await materialize(tx, {
          name: model.name,
          materialization: model.materialization,
          uniqueKey: model.uniqueKey,
          snapshot: model.snapshot,
          compile: async (isIncremental) =>
            (await compileModel(model.sql, { modelName: model.name, catalog: p.catalog, isIncremental })).sql,
        });
        return { ...built, rows: await countRows(tx) };
      }));
    }
    const testResults = model ? await runModelTests(p, model) : [];
    await updateModelBuild(build.id, { status: "succeeded", compiledSql, rows, testResults, finishedAt: new Date() });
    return "succeeded";
  } catch (err) {
    const reads = model ? referencedNames(model.sql) : { refs: [], sources: [] };
    const error = await withSchemaChange(describeBuildError(err), err, [...reads.refs, ...reads.sources]);
    await updateModelBuild(build.id, { status: "failed", error, finishedAt: new Date() });
    return "failed";
  }
}

/**
 * A model that fails on a dataset's new shape says what changed: a column it reads that a version
 * removed (and a likely rename), or, for a type error, the columns of what it reads that the
 * latest version retyped.
 */
async function withSchemaChange<E extends { message: string }>(error: E, err: unknown, reads: string[]): Promise<E> {
  const code = (err as { code?: string })?.code;
  if (code === "42883" || code === "42804") {
    const retyped = await findLatestRetyped(reads).catch(() => []);
    if (retyped.length === 0) return error;
    const words = retyped.map((r) => `${r.column} of ${r.dataset} became ${r.to} (was ${r.from}) in version ${r.version}`).join("; ");
    return { ...error, message: `${error.message}: ${words}` };
  }
  if (code !== "42703") return error;
  const column = /column (?:"?[\w$]+"?\.)?"?([^"\s]+)"? does not exist/.exec(error.message)?.[1];
  const removed = column ? await findVersionThatRemoved(column).catch(() => null) : null;
  if (!removed) return error;
  const rename = removed.renamedTo ? ` (it looks renamed to ${removed.renamedTo})` : "";
  return { ...error, message: `${error.message}: version ${removed.version} of ${removed.dataset} removed ${column}${rename}` };
}

export async function runModelTests(p: Project, model: Model): Promise<TestResult[]> {
  if (model.tests.length === 0) return [];
  const compiledCustom = new Map<number, string>();
  for (const [i, test] of model.tests.entries()) {
    if (test.type === "custom_sql") {
      compiledCustom.set(i, (await compileModel(test.sql, { modelName: model.name, catalog: p.catalog })).sql);
    }
  }
  return inSandbox(
    async (tx) => {
      const results: TestResult[] = [];
      for (const [i, test] of model.tests.entries()) results.push(await runDataTest(tx, model.name, test, compiledCustom.get(i)));
      return results;
    },
    { readOnly: true },
  );
}

/**
 * A failed build's error as stored and shown. Postgres quotes the failing value in its message
 * and detail; only the head of that value is kept (see clipErrorText), whatever its size.
 */
export function describeBuildError(err: unknown): { message: string; line?: number; column?: number; detail?: string } {
  if (err instanceof CompileError) return { message: clipErrorText(err.message), line: err.line, column: err.column };
  const pg = err as { code?: string; message?: string; detail?: string; hint?: string };
  if (pg?.code === "57014")
    return { message: "The model ran past its statement timeout and was cancelled", detail: clipOptionalErrorText(pg.message) };
  if (pg?.code === "42501")
    return { message: `Permission denied: ${clipErrorText(pg.message ?? "")}. Models can read staging and warehouse only.` };
  if (pg?.code && /^[0-9A-Z]{5}$/.test(pg.code)) {
    const detail = [pg.detail, pg.hint]
      .filter((t): t is string => Boolean(t))
      .map(clipErrorText)
      .join(" ");
    return { message: clipErrorText(pg.message ?? "The database refused the model"), detail: detail || undefined };
  }
  return { message: clipErrorText(err instanceof Error ? err.message : String(err)) };
}

/**
 * After a dataset's tables were replaced (which drops the views on top of them), rebuilds every
 * view downstream so none goes missing. Tables downstream keep their data until their next build.
 */
export async function rebuildViewsDownstreamOf(names: string[]): Promise<BuildSummary | null> {
  const project = await loadProject();
  const views = [...downstreamOf(project.graph, names)].filter((n) => project.models.find((m) => m.name === n)?.materialization === "view");
  if (views.length === 0) return null;
  return buildModels({ names: views }, project);
}
