"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/session";
import { UserError } from "@/lib/errors";
import { describeBuildError } from "@/lib/transform/build";
import { compileAndCheck, removeModel, requestModelBuild, restoreModelRevision, saveModel } from "@/lib/transform/models";
import { previewModel, type PositionedError } from "@/lib/transform/preview";
import { listLatestBuilds } from "@/db/queries/models";
import type { Model } from "@/db/schema/models";
import type { ModelInput } from "@/lib/validation/models";
import { buildInput, compileInput, compileName, nameInput, previewInput, restoreInput, saveInput } from "./action-inputs";

// Every action checks the editor role itself: the page's check does not protect its actions.
// Viewers get the read-only page and none of these.

export type CompileOutput = {
  sql: string;
  incrementalSql: string | null;
  refs: string[];
  sources: string[];
  /** Output columns as the database resolved them (empty when a read relation is not built yet). */
  columns: string[];
  /** Why the column names could not be checked (a relation it reads is not built yet), or null. */
  unchecked: string | null;
};

export async function compileModelAction(raw: unknown): Promise<ActionResult<CompileOutput>> {
  return runAction("compileModel", async () => {
    await requireRole("editor");
    const input = compileInput.parse(raw);
    const name = compileName(input.name);
    // Column names are checked by the database itself, on the sandbox's login, without running anything.
    const full = await compileAndCheck(name, input.sql);
    // An incremental model runs two ways: the first build (full) and later runs (is_incremental()).
    const incremental = input.materialization === "incremental" ? await compileAndCheck(name, input.sql, { isIncremental: true }) : null;
    // {{ this }} of a model never built cannot be checked; that is expected before the first build.
    const missing = full.unchecked ?? (incremental?.unchecked === name ? null : (incremental?.unchecked ?? null));
    return {
      sql: full.sql,
      incrementalSql: incremental?.sql ?? null,
      refs: full.refs,
      sources: full.sources,
      columns: full.columns,
      unchecked: missing
        ? `${missing} has not been built yet, so column names were not checked against it; build it, then compile again.`
        : null,
    };
  });
}

export type PreviewOutput = { columns: string[]; rows: (string | null)[][]; compiledSql: string };

/** Cells beyond this are cut, so a wide text column cannot make the answer megabytes. */
const MAX_PREVIEW_CELL = 10_000;

export async function previewModelAction(raw: unknown): Promise<ActionResult<PreviewOutput>> {
  return runAction("previewModel", async () => {
    await requireRole("editor");
    const input = previewInput.parse(raw);
    try {
      const preview = await previewModel(compileName(input.name), input.sql);
      return {
        ...preview,
        rows: preview.rows.map((row) =>
          row.map((v) => (v !== null && v.length > MAX_PREVIEW_CELL ? `${v.slice(0, MAX_PREVIEW_CELL)}…` : v)),
        ),
      };
    } catch (err) {
      // The database's own complaint about the user's SQL (unknown column, bad cast, timeout) is
      // the useful answer here; anything else stays a logged, generic failure.
      const code = (err as { code?: unknown })?.code;
      if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
        const described = describeBuildError(err);
        const message = [described.message, described.detail].filter(Boolean).join(" — ");
        // Where the database points, the editor marks the line (as for a compile error).
        const at = (err as PositionedError).sourcePosition;
        if (at) {
          const placed = `${message} (line ${at.line}, column ${at.column})`;
          throw new UserError(placed, 400, { sql: [placed] });
        }
        throw new UserError(message, 400);
      }
      throw err;
    }
  });
}

export type SavedModel = {
  name: string;
  revision: number;
  description: string;
  sql: string;
  materialization: Model["materialization"];
  uniqueKey: string[];
  snapshot: Model["snapshot"];
  columnDescriptions: Record<string, string>;
  tests: Model["tests"];
};

function savedModel(model: Model): SavedModel {
  return {
    name: model.name,
    revision: model.revision,
    description: model.description,
    sql: model.sql,
    materialization: model.materialization,
    uniqueKey: model.uniqueKey,
    snapshot: model.snapshot,
    columnDescriptions: model.columnDescriptions,
    tests: model.tests,
  };
}

function revalidateModel(name: string) {
  revalidatePath("/models");
  revalidatePath("/models/lineage");
  revalidatePath(`/models/${name}`);
}

export async function saveModelAction(raw: unknown): Promise<ActionResult<SavedModel>> {
  return runAction("saveModel", async () => {
    const user = await requireRole("editor");
    const { isNew, model } = saveInput.parse(raw);
    // saveModel validates the whole input with modelInput (field errors keep their paths).
    const saved = await saveModel(model as ModelInput, user, isNew ? { mustBeNew: true } : { mustExist: true });
    revalidateModel(saved.name);
    return savedModel(saved);
  });
}

export async function buildModelAction(raw: unknown): Promise<ActionResult<{ previousBuildId: string | null; batchId: string }>> {
  return runAction("buildModel", async () => {
    await requireRole("editor");
    const { name, withDownstream } = buildInput.parse(raw);
    // The request writes the new (queued) build row; the page waits for a newer one than this.
    const [previous] = await listLatestBuilds([name]);
    const { batchId } = await requestModelBuild(name, withDownstream);
    return { previousBuildId: previous?.id ?? null, batchId };
  });
}

export async function restoreRevisionAction(raw: unknown): Promise<ActionResult<SavedModel & { restoredFrom: number }>> {
  return runAction("restoreModelRevision", async () => {
    const user = await requireRole("editor");
    const { name, revision } = restoreInput.parse(raw);
    const model = await restoreModelRevision(name, revision, user);
    revalidateModel(name);
    return { ...savedModel(model), restoredFrom: revision };
  });
}

export async function deleteModelAction(raw: unknown): Promise<ActionResult<{ name: string }>> {
  return runAction("deleteModel", async () => {
    const auditActor = await requireRole("editor");
    const { name } = nameInput.parse(raw);
    await removeModel(name, auditActor);
    revalidateModel(name);
    return { name };
  });
}
