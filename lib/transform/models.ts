import crypto from "node:crypto";
import { audit, type AuditActor } from "@/lib/audit";
import { getDatasetByName } from "@/db/queries/datasets";
import {
  deleteModel as deleteModelRow,
  getModelByName,
  getModelRevision,
  insertModel,
  insertModelBuilds,
  insertModelRevision,
  updateModel,
} from "@/db/queries/models";
import type { Model } from "@/db/schema/models";
import { getDb, getSql } from "@/db";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { compileModel, CompileError, type CompiledModel } from "@/lib/transform/compile";
import { CycleError, topologicalOrder } from "@/lib/transform/dag";
import { loadProject } from "@/lib/transform/build";
import { existingKind } from "@/lib/transform/materialize";
import { checkPlan } from "@/lib/transform/plan-check";
import { referencedNames } from "@/lib/transform/template";
import { modelInput, type ModelInput } from "@/lib/validation/models";
import { withTransaction } from "@/lib/queue/transaction";
import { buildModelsJob } from "@/lib/queue/jobs";

type Actor = { id: string };

function compileFailure(err: CompileError): UserError {
  return new UserError(err.message, 400, { sql: [err.message] });
}

/** Compiles a model's SQL against the current project (for "Compile" and before every save). */
export async function compileForModel(name: string, sql: string, opts: { isIncremental?: boolean } = {}): Promise<CompiledModel> {
  const project = await loadProject();
  const models = new Set(project.catalog.models);
  models.add(name);
  try {
    return await compileModel(sql, {
      modelName: name,
      catalog: { models, datasets: project.catalog.datasets },
      isIncremental: opts.isIncremental,
    });
  } catch (err) {
    if (err instanceof CompileError) throw compileFailure(err);
    throw err;
  }
}

export type CheckedModel = CompiledModel & {
  /** The query's output columns as the database resolved them; empty when unchecked. */
  columns: string[];
  /** A relation it reads that is not built yet, so its columns could not be checked. */
  unchecked: string | null;
};

/**
 * Compile, then have the database resolve every name the SQL uses (plan-check.ts): an unknown
 * column is a compile error at its line and column, not a surprise at preview or build.
 */
export async function compileAndCheck(name: string, sql: string, opts: { isIncremental?: boolean } = {}): Promise<CheckedModel> {
  const compiled = await compileForModel(name, sql, opts);
  const check = await checkPlan(compiled.sql, [...compiled.refs, ...compiled.sources, name]);
  if (check.ok === true) return { ...compiled, columns: check.columns.map((c) => c.name), unchecked: null };
  if (check.ok === "unchecked") return { ...compiled, columns: [], unchecked: check.missing };
  const { problem } = check;
  const at = problem.offset === undefined ? null : compiled.locate(problem.offset);
  const message = [problem.message, problem.detail].filter(Boolean).join(" — ");
  throw compileFailure(new CompileError(at ? `${message} (line ${at.line}, column ${at.column})` : message, at?.line, at?.column));
}

/**
 * Creates or updates a model: validated, compiled against the project, checked for cycles, and
 * saved together with a new revision.
 */
export async function saveModel(raw: ModelInput, actor: Actor, opts: { mustExist?: boolean; mustBeNew?: boolean } = {}): Promise<Model> {
  const input = modelInput.parse(raw);
  if (await getDatasetByName(input.name)) {
    throw new UserError(`A dataset named ${input.name} exists; models and datasets share the warehouse, so pick another name`, 409, {
      name: ["This name is taken by a dataset"],
    });
  }
  await compileForModel(input.name, input.sql, { isIncremental: input.materialization === "incremental" });
  const project = await loadProject();
  const { refs, sources } = referencedNames(input.sql);
  const graph = project.graph.filter((n) => n.name !== input.name).concat({ name: input.name, dependsOn: [...refs, ...sources] });
  try {
    topologicalOrder(graph);
  } catch (err) {
    if (err instanceof CycleError) throw new UserError(err.message, 400, { sql: [err.message] });
    throw err;
  }

  return getDb()
    .transaction(async (tx) => {
      const existing = await getModelByName(input.name, tx);
      if (existing && opts.mustBeNew)
        throw new UserError(`A model named ${input.name} already exists`, 409, { name: ["This name is taken"] });
      if (!existing && opts.mustExist) throw new UserError(`No model named ${input.name}`, 404);
      const fields = {
        description: input.description,
        sql: input.sql,
        materialization: input.materialization,
        uniqueKey: input.uniqueKey,
        // Kept only where it applies, so switching a model away from snapshot leaves no stale rule behind.
        snapshot: input.materialization === "snapshot" ? (input.snapshot ?? null) : null,
        columnDescriptions: input.columnDescriptions,
        tests: input.tests,
      };
      const model = existing
        ? await updateModel(existing.id, { ...fields, revision: existing.revision + 1 }, tx)
        : await insertModel({ name: input.name, ...fields, createdBy: actor.id }, tx);
      if (!model) throw new UserError(`A model named ${input.name} already exists`, 409, { name: ["This name is taken"] });
      await insertModelRevision({ modelId: model.id, revision: model.revision, ...fields, createdBy: actor.id }, tx);
      return model;
    })
    .then(async (model) => {
      await audit(
        "model.saved",
        actor,
        { type: "model", id: model.id, name: model.name },
        { revision: model.revision, materialization: model.materialization },
      );
      return model;
    });
}

/** Saves an earlier revision's content as the newest revision. */
export async function restoreModelRevision(name: string, revision: number, actor: Actor): Promise<Model> {
  const model = await getModelByName(name);
  if (!model) throw new UserError(`No model named ${name}`, 404);
  const old = await getModelRevision(model.id, revision);
  if (!old) throw new UserError(`Model ${name} has no revision ${revision}`, 404);
  await audit("model.restored", actor, { type: "model", id: model.id, name }, { fromRevision: revision });
  return saveModel(
    {
      name,
      description: old.description,
      sql: old.sql,
      materialization: old.materialization,
      uniqueKey: old.uniqueKey,
      snapshot: old.snapshot,
      columnDescriptions: old.columnDescriptions,
      tests: old.tests,
    },
    actor,
    { mustExist: true },
  );
}

/** Deletes a model and its relation; refused while other models ref it. */
export async function removeModel(name: string, actor?: AuditActor): Promise<void> {
  const model = await getModelByName(name);
  if (!model) throw new UserError(`No model named ${name}`, 404);
  const project = await loadProject();
  const users = project.graph.filter((n) => n.name !== name && n.dependsOn.includes(name)).map((n) => n.name);
  if (users.length) throw new UserError(`Model ${name} is used by ${users.join(", ")}; remove those refs first`, 409);
  const kind = await existingKind(getSql(), name);
  if (kind) await getSql().unsafe(`drop ${kind} if exists warehouse.${quoteIdent(name)}`);
  await deleteModelRow(model.id);
  await audit("model.deleted", actor, { type: "model", id: model.id, name });
}

/**
 * Queues a build of one model (or with its downstream) for the worker. The batch id is made here
 * and its first row (this model, queued) written in the same transaction as the job, so the caller
 * can follow the build at once; the worker adds the downstream models' rows to the same batch.
 */
export async function requestModelBuild(name: string, withDownstream: boolean): Promise<{ batchId: string }> {
  const model = await getModelByName(name);
  if (!model && !(await getDatasetByName(name))) throw new UserError(`No model named ${name}`, 404);
  const batchId = crypto.randomUUID();
  await withTransaction(async (tx, send) => {
    await insertModelBuilds([{ batchId, modelName: name, modelId: model?.id ?? null, status: "queued" }], tx);
    await send(buildModelsJob, { names: [name], withDownstream, batchId });
  });
  return { batchId };
}
