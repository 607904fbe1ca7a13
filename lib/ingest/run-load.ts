import type { IncomingHttpHeaders } from "node:http";
import { pipeline } from "node:stream";
import { getSql } from "@/db";
import {
  getDatasetById,
  getDatasetLoad,
  getDatasetVersion,
  getLatestDatasetVersion,
  insertDatasetVersion,
  updateDataset,
  updateDatasetLoad,
  updateDatasetVersionRows,
  updateDatasetVersionSchema,
} from "@/db/queries/datasets";
import type {
  ColumnType,
  Dataset,
  DatasetColumn,
  DatasetLoad,
  DatasetVersion,
  DetectedDialect,
  LoadError,
  LoadWarning,
  StagedScratch,
} from "@/db/schema/datasets";
import type { JobContext } from "@/lib/queue/contract";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/log";
import { openStream } from "@/lib/net/outbound";
import { getObjectStore } from "@/lib/storage";
import { loadIntoScratchTable, type StagingLoadResult } from "@/lib/ingest/load-staging";
import { nullMarkersOf, refineTextColumns } from "@/lib/ingest/refine-types";
import { applyScratchTable } from "@/lib/ingest/apply-load";
import { buildTypedTable, effectiveType, installTypedScratch } from "@/lib/ingest/typed-table";
import { describeLoadError, isTransientLoadError } from "@/lib/ingest/load-errors";
import { createProgressReporter } from "@/lib/ingest/progress";
import { createSpeculativeLoad, tapIntoSpeculation, type SpeculativeLoad } from "@/lib/ingest/speculative-load";
import { dropLoadScratch, relationExists, scratchName, stagingTable, typedScratchName, warehouseTable } from "@/lib/ingest/staging-sql";
import { stampScratchTable } from "@/lib/ingest/scratch-table";
import { mergeColumns } from "@/lib/ingest/columns";
import { CsvFormatError } from "@/lib/csv/errors";
import { rebuildViewsDownstreamOf } from "@/lib/transform/build";
import { assertColumnsAllowed, diffSchemas, lockedTypes, suggestRenames } from "@/lib/ingest/schema-changes";

export function versionStorageKey(datasetId: string, token: string): string {
  return `datasets/${datasetId}/versions/${token}.csv`;
}

export type LoadOutcome =
  | { kind: "loaded"; rows: number; versionId: string }
  | { kind: "unchanged"; versionId: string | null }
  | { kind: "fetched"; versionId: string }
  | { kind: "failed"; error: LoadError }
  | { kind: "gone" };

/** A pipeline runs the two halves as separate steps; "Load now" runs both in one job. */
export type LoadStage = "all" | "fetch" | "load";

type Outcome = Exclude<LoadOutcome, { kind: "failed" } | { kind: "gone" }>;

/**
 * Fetches the dataset's source into object storage (one version per distinct sha256), then loads
 * it. Safe to run twice for the same load: finished loads are left alone, a stored version is
 * reused, and the apply step never adds a version's rows twice.
 */
export async function runDatasetLoad(
  loadId: string,
  ctx: Pick<JobContext, "log" | "isLastAttempt"> & { signal?: AbortSignal; stage?: LoadStage },
): Promise<LoadOutcome> {
  const load = await getDatasetLoad(loadId);
  if (!load) return { kind: "gone" };
  if (load.status === "succeeded") return { kind: "loaded", rows: load.rowsLoaded, versionId: load.versionId! };
  if (load.status === "unchanged") return { kind: "unchanged", versionId: load.versionId };
  if (load.status === "failed" || load.status === "cancelled")
    return { kind: "failed", error: load.error ?? { message: `load ${load.status}` } };
  if (ctx.stage === "fetch" && load.versionId) return { kind: "fetched", versionId: load.versionId };
  const dataset = await getDatasetById(load.datasetId);
  if (!dataset) return { kind: "gone" };

  const progress = createProgressReporter(loadId);
  await updateDatasetLoad(loadId, { status: "running", startedAt: load.startedAt ?? new Date(), error: null });
  await updateDataset(dataset.id, { status: "loading" });

  try {
    const outcome = await fetchAndLoad(dataset, load, progress, ctx.stage ?? "all", ctx.signal);
    await progress.flush();
    if (outcome.kind === "unchanged") {
      await updateDatasetLoad(loadId, { status: "unchanged", phase: null, finishedAt: new Date() });
      await updateDataset(dataset.id, { status: dataset.currentVersionId ? "ready" : "new" });
    }
    ctx.log.info({ loadId, dataset: dataset.name, outcome }, "dataset load step finished");
    return outcome;
  } catch (err) {
    await progress.flush().catch(() => {});
    await dropLoadScratch(getSql(), loadId).catch(() => {});
    if (ctx.signal?.aborted) {
      // Cancelled (the run was cancelled): the previous tables are untouched.
      await updateDataset(dataset.id, { status: dataset.currentVersionId ? "ready" : "new" });
      await updateDatasetLoad(loadId, {
        status: "cancelled",
        error: { message: "The load was cancelled", code: "cancelled" },
        phase: null,
        finishedAt: new Date(),
      });
      return { kind: "failed", error: { message: "The load was cancelled", code: "cancelled" } };
    }
    const error = describeLoadError(err);
    if (isTransientLoadError(err) && !ctx.isLastAttempt) {
      ctx.log.warn({ loadId, error }, "dataset load failed; will retry");
      await updateDatasetLoad(loadId, { status: "queued", error });
      throw err;
    }
    ctx.log.warn({ loadId, dataset: dataset.name, error }, "dataset load failed");
    await updateDataset(dataset.id, { status: "failed", columns: withoutRejectedOverride(dataset.columns, err) });
    await updateDatasetLoad(loadId, { status: "failed", error, phase: null, finishedAt: new Date() });
    return { kind: "failed", error };
  }
}

/** A type the user chose that the data does not fit is taken back, so later loads are not stuck on it. */
function withoutRejectedOverride(columns: DatasetColumn[], err: unknown): DatasetColumn[] {
  if (!(err instanceof CsvFormatError) || err.code !== "type_mismatch" || !err.column) return columns;
  return columns.map((c, i) => {
    if (i !== err.column! - 1 || !c.overrideType) return c;
    const { overrideType: _rejected, ...rest } = c;
    return rest;
  });
}

async function fetchAndLoad(
  dataset: Dataset,
  load: DatasetLoad,
  progress: ReturnType<typeof createProgressReporter>,
  stage: LoadStage,
  signal?: AbortSignal,
): Promise<Outcome> {
  const timings: Record<string, number> = {};
  let version: DatasetVersion | null = load.versionId ? await getDatasetVersion(load.versionId) : null;
  let staged: StagedScratch | null = load.staged ?? null;
  if (!version) {
    const fetchStarted = Date.now();
    if (!dataset.sourceUrl) throw new Error("dataset has no source URL and the load names no version");
    progress.update({ phase: "fetching" });
    const before = await getLatestDatasetVersion(dataset.id);
    const fetched = await fetchToStorage(
      dataset,
      load,
      progress,
      (contentLength) => speculateWhileFetching(dataset, load, before, contentLength, progress, signal),
      conditionalHeaders(dataset, load, before),
      signal,
    );
    timings.fetch = Date.now() - fetchStarted;
    if (fetched.notModified) {
      // 304: the source vouches that the loaded version is still current; nothing was downloaded.
      await updateDatasetLoad(load.id, { versionId: before!.id, bytesRead: 0, bytesTotal: 0, timings: { ...timings, notModified: 1 } });
      return { kind: "unchanged", versionId: before!.id };
    }
    const speculation = fetched.speculation;
    staged = fetched.staged;
    const latest = await getLatestDatasetVersion(dataset.id);
    if (latest && latest.sha256 === fetched.sha256) {
      // Identical content is never stored twice. It is "unchanged" only if that version is the
      // one loaded: a version stored by an attempt that died before loading it (this load's own
      // first try, or a load that failed afterwards) still has to be loaded. A forced load
      // reloads it anyway.
      const ownObject = latest.storageKey === fetched.key;
      if (!ownObject) await getObjectStore().delete(fetched.key);
      if (load.force || ownObject || dataset.currentVersionId !== latest.id) {
        version = latest;
      } else {
        await speculation?.discard();
        await updateDatasetLoad(load.id, { versionId: latest.id, bytesRead: fetched.size, bytesTotal: fetched.size, timings });
        await recordValidators(dataset.id, fetched.headers, latest.id);
        return { kind: "unchanged", versionId: latest.id };
      }
    }
    version ??= await insertDatasetVersion({
      datasetId: dataset.id,
      sha256: fetched.sha256,
      bytes: fetched.size,
      storageKey: fetched.key,
      source: dataset.sourceUrl,
      contentType: fetched.contentType,
    });
    if (staged && staged.versionNumber !== version.version) {
      // Another load took the version number the scratch table was stamped with.
      staged = null;
      await speculation?.discard();
    }
    if (speculation && !staged)
      getLogger().info({ loadId: load.id, reason: speculation.reason() }, "fetch: the file is loaded after the fetch");
    await updateDatasetLoad(load.id, { versionId: version.id, timings, staged });
    await recordValidators(dataset.id, fetched.headers, version.id);
  }
  if (stage === "fetch") {
    await updateDatasetLoad(load.id, { phase: "fetched" });
    return { kind: "fetched", versionId: version.id };
  }

  progress.update({ phase: "loading", bytesRead: 0, bytesTotal: version.bytes, rows: 0 });
  const rows = await loadVersion(dataset, load, version, staged, progress, { ...load.timings, ...timings }, signal);
  return { kind: "loaded", rows, versionId: version.id };
}

/**
 * Starts loading while fetching (lib/ingest/speculative-load.ts), unless the file is probably
 * the one already loaded: an unchanged source has the same size, and then the COPY would only
 * be thrown away. (A changed file of the same size is simply loaded after the fetch.)
 */
function speculateWhileFetching(
  dataset: Dataset,
  load: DatasetLoad,
  latest: DatasetVersion | null,
  contentLength: number | null,
  progress: ReturnType<typeof createProgressReporter>,
  signal?: AbortSignal,
): SpeculativeLoad | null {
  if (latest && contentLength !== null && contentLength === latest.bytes) return null;
  return createSpeculativeLoad(getSql(), {
    table: stagingTable(scratchName(load.id)),
    typedTable: typedScratchName(load.id),
    versionNumber: (latest?.version ?? 0) + 1,
    options: dataset.options,
    overrides: overridesOf(dataset),
    signal,
    maxBytes: getEnv().maxSourceBytes,
    onProgress: ({ rows }) => progress.update({ rows }),
  });
}

/** Types the load must cast to: the user's choices, then locks (a dataset's own, and every column under `freeze`). */
function overridesOf(dataset: Dataset): Map<string, ColumnType> {
  const chosen = dataset.columns.filter((c) => c.overrideType).map((c) => [c.name, c.overrideType!] as const);
  return new Map([...chosen, ...Object.entries(lockedTypes(dataset))]);
}

/**
 * If-None-Match / If-Modified-Since from the last response, when that response held the version
 * that is loaded now (a version fetched but never loaded must be fetched again) and the load is
 * not forced.
 */
function conditionalHeaders(dataset: Dataset, load: DatasetLoad, latest: DatasetVersion | null): Record<string, string> | null {
  const v = dataset.sourceValidators;
  if (load.force || !v || !latest || v.versionId !== latest.id || dataset.currentVersionId !== latest.id) return null;
  const headers: Record<string, string> = {};
  if (v.etag) headers["if-none-match"] = v.etag;
  if (v.lastModified) headers["if-modified-since"] = v.lastModified;
  return Object.keys(headers).length ? headers : null;
}

async function recordValidators(datasetId: string, headers: IncomingHttpHeaders, versionId: string): Promise<void> {
  const etag = typeof headers.etag === "string" ? headers.etag.slice(0, 500) : null;
  const lastModified = typeof headers["last-modified"] === "string" ? headers["last-modified"].slice(0, 100) : null;
  await updateDataset(datasetId, { sourceValidators: etag || lastModified ? { etag, lastModified, versionId } : null });
}

async function fetchToStorage(
  dataset: Dataset,
  load: DatasetLoad,
  progress: ReturnType<typeof createProgressReporter>,
  speculate: (contentLength: number | null) => SpeculativeLoad | null,
  conditional: Record<string, string> | null,
  signal?: AbortSignal,
) {
  const response = await openStream(dataset.sourceUrl!, {
    maxBytes: getEnv().maxSourceBytes,
    signal,
    ...(conditional ? { headers: conditional, conditional: true as const } : {}),
  });
  if ("notModified" in response) return { notModified: true as const };
  progress.update({ bytesTotal: response.contentLength ?? null, bytesRead: 0 });
  const speculation = speculate(response.contentLength ?? null);
  const tap = tapIntoSpeculation(speculation, (bytesRead) => progress.update({ bytesRead }));
  const body = pipeline(response.body, tap.stream, () => {});
  const key = versionStorageKey(dataset.id, load.id);
  const contentType = String(response.headers["content-type"] ?? "text/csv").slice(0, 200);
  try {
    const put = await getObjectStore().put(key, body, { contentType, signal });
    // staged() never throws: a speculation that went wrong just stages nothing.
    const staged = await tap.staged();
    return { ...put, contentType, speculation, staged, headers: response.headers, notModified: false as const };
  } catch (err) {
    await speculation?.discard();
    throw err;
  }
}

async function loadVersion(
  dataset: Dataset,
  load: DatasetLoad,
  version: DatasetVersion,
  prestaged: StagedScratch | null,
  progress: ReturnType<typeof createProgressReporter>,
  timings: Record<string, number>,
  signal?: AbortSignal,
): Promise<number> {
  let phaseStarted = Date.now();
  const endPhase = (name: string) => {
    timings[name] = Date.now() - phaseStarted;
    phaseStarted = Date.now();
  };
  const sql = getSql();
  const scratch = stagingTable(scratchName(load.id));
  const overrides = overridesOf(dataset);
  let staged: Pick<
    StagingLoadResult,
    "columns" | "rows" | "skipped" | "skippedCount" | "padded" | "firstPaddedLine" | "lanes" | "typed" | "typedMiss"
  > & {
    dialect?: DetectedDialect;
  };
  let fallback: string | null = null;
  if (prestaged && prestaged.versionNumber === version.version && (await relationExists(sql, "staging", scratchName(load.id)))) {
    // The fetch already filled the scratch table (speculative load).
    staged = { ...prestaged, skipped: [], skippedCount: 0, padded: 0, firstPaddedLine: null };
  } else {
    const reserved = await sql.reserve();
    try {
      staged = await loadIntoScratchTable({
        sql: reserved,
        open: () => getObjectStore().get(version.storageKey),
        onFallback: (reason) => {
          fallback = reason;
          getLogger().info({ loadId: load.id, reason }, "load: exact parser instead of the fast path");
        },
        table: scratch,
        typedTable: typedScratchName(load.id),
        versionNumber: version.version,
        options: dataset.options,
        overrides,
        signal,
        maxBytes: getEnv().maxSourceBytes,
        onProgress: ({ bytesRead, rows }) => progress.update({ bytesRead, rows }),
        extraConnection: () => sql.reserve(),
      });
    } finally {
      reserved.release();
    }
  }

  const typed = staged.typed && (await relationExists(sql, "warehouse", staged.typed.table)) ? staged.typed : null;
  await stampScratchTable(sql, typed ? [scratch, warehouseTable(typed.table)] : [scratch], version.version);
  endPhase("load");
  // Marks a load the fast path handed to the exact parser (the bench and support look for it).
  if (fallback) timings.exact_parser = 1;
  // How many COPYs and typing statements shared the work, when more than one (bench, tests).
  if ((staged.lanes ?? 1) > 1) timings.copy_lanes = staged.lanes!;
  progress.update({ phase: "applying", rows: staged.rows });
  const locks = lockedTypes(dataset);
  const merged = mergeColumns(dataset.columns, staged.columns, dataset.options.loadMode);
  // Locked columns are cast like a chosen type for this load, but saved as the type they now hold:
  // unlocking later must not leave a "choice" the user never made.
  // A replacing file whose column widened to text against the loaded one (the lattice, see
  // mergeColumns) stays text: held like a lock, or the refinement pass would type it back.
  const fileTypes = new Map(staged.columns.map((c) => [c.name, c.inferredType]));
  if (dataset.options.loadMode === "replace") {
    for (const c of merged)
      if (c.inferredType === "text" && !c.overrideType && (fileTypes.get(c.name) ?? "text") !== "text") locks[c.name] ??= "text";
  }
  const lockOnly = new Set(merged.filter((c) => locks[c.name] && !c.overrideType).map((c) => c.name));
  const columns: DatasetColumn[] = merged.map((c) => (lockOnly.has(c.name) ? { ...c, overrideType: locks[c.name] } : c));
  // A new version's schema against the loaded one; renames are judged on the raw rows before the old ones go.
  const previous = dataset.currentVersionId && dataset.currentVersionId !== version.id ? dataset.columns : null;
  assertColumnsAllowed(
    dataset,
    columns.map((c) => c.name),
  );
  const named = previous ? diffSchemas(previous, columns) : null;
  const renames =
    named && named.added.length && named.removed.length && (await relationExists(sql, "staging", dataset.name))
      ? await suggestRenames(sql, {
          previousTable: stagingTable(dataset.name),
          nextTable: scratch,
          removed: named.removed.map((c) => c.name),
          added: named.added.map((c) => c.name),
        })
      : [];
  await applyScratchTable(sql, {
    datasetName: dataset.name,
    scratch: scratchName(load.id),
    columns: staged.columns.map((c) => c.name),
    mode: dataset.options.loadMode,
    keyColumns: dataset.options.keyColumns ?? [],
    versionNumber: version.version,
  });

  endPhase("apply");
  progress.update({ phase: "typing" });
  const refined = await refineTextColumns(
    sql,
    stagingTable(dataset.name),
    columns,
    dataset.options,
    staged.dialect?.delimiter ?? dataset.options.delimiter,
  );
  endPhase("refine");
  // The typed twin loaded alongside, if it holds what the typing pass would build; else the pass.
  const installed =
    typed !== null && dataset.options.loadMode === "replace" && (await installTypedScratch(sql, dataset.name, refined, typed));
  if (!installed) {
    await sql.unsafe(`drop table if exists ${warehouseTable(typedScratchName(load.id))}`);
    const why = typed ? "its types are not the file's" : (staged.typedMiss ?? null);
    if (why) getLogger().info({ loadId: load.id, reason: why }, "load: typed from staging (no typed twin)");
  }
  const typingParts = installed ? 0 : await buildTypedTable(sql, dataset.name, refined);
  await rebuildViewsDownstreamOf([dataset.name]);
  endPhase("typing");
  if (installed) timings.typed_lane = 1;
  if (typingParts > 1) timings.typing_parts = typingParts;

  let rowCount = staged.rows;
  if (dataset.options.loadMode !== "replace") {
    const [{ count }] = (await sql.unsafe(`select count(*)::bigint as count from ${stagingTable(dataset.name)}`)) as unknown as [
      { count: string },
    ];
    rowCount = Number(count);
  }
  const dialect = staged.dialect ? { ...staged.dialect, nullMarkers: nullMarkersOf(dataset.options) } : undefined;
  await updateDatasetVersionRows(version.id, staged.rows, dialect);
  if (previous) {
    const changes = diffSchemas(previous, refined);
    const typeOf = new Map(refined.map((c) => [c.name, effectiveType(c)]));
    const before = new Map(previous.map((c) => [c.name, effectiveType(c)]));
    changes.renamed = renames.filter((r) => before.get(r.from) === typeOf.get(r.to));
    await updateDatasetVersionSchema(version.id, refined, changes);
  } else if (dataset.currentVersionId !== version.id) {
    await updateDatasetVersionSchema(version.id, refined, null);
  }
  const saved = refined.map((c) => {
    if (!lockOnly.has(c.name)) return c;
    const { overrideType: lock, ...rest } = c;
    return { ...rest, inferredType: lock ?? rest.inferredType };
  });
  await updateDataset(dataset.id, {
    columns: saved,
    rowCount,
    status: "ready",
    lastLoadedAt: new Date(),
    currentVersionId: version.id,
  });
  await updateDatasetLoad(load.id, {
    status: "succeeded",
    phase: null,
    rowsLoaded: staged.rows,
    skippedRows: staged.skipped,
    rowsSkipped: staged.skippedCount,
    rowsPadded: staged.padded,
    warnings: loadWarnings(staged, refined),
    timings,
    finishedAt: new Date(),
  });
  return staged.rows;
}

/** What a user should know about a load that succeeded (shown with the load, the run and the API). */
function loadWarnings(
  staged: Pick<StagingLoadResult, "skippedCount" | "padded" | "firstPaddedLine" | "skipped">,
  columns: readonly DatasetColumn[],
): LoadWarning[] {
  const warnings: LoadWarning[] = [];
  const rows = (n: number) => `${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"}`;
  if (staged.padded > 0) {
    warnings.push({
      code: "rows_padded",
      message: `${rows(staged.padded)} had fewer fields than the header; the missing fields were loaded as NULL (first: line ${staged.firstPaddedLine}).`,
      ...(staged.firstPaddedLine ? { line: staged.firstPaddedLine } : {}),
    });
  }
  if (staged.skippedCount > 0) {
    const first = staged.skipped[0];
    warnings.push({
      code: "rows_skipped",
      message: `${rows(staged.skippedCount)} did not match the header and were skipped${first ? ` (first: line ${first.line}, ${first.reason})` : ""}.`,
      ...(first ? { line: first.line } : {}),
    });
  }
  for (const column of columns) {
    if (column.note) warnings.push({ code: "type_note", message: `Column "${column.header}": ${column.note}` });
  }
  return warnings;
}

export type { LoadError };
