import { audit } from "@/lib/audit";
import crypto from "node:crypto";
import { pipeline, type Readable } from "node:stream";
import { z } from "zod";
import type { ColumnType, Dataset, DatasetLoad, DatasetOptions, StagedScratch } from "@/db/schema/datasets";
import { tapIntoSpeculation } from "@/lib/ingest/speculative-load";
import { createUploadSpeculation } from "@/lib/ingest/upload-speculation";
import { scratchName, stagingTable, typedScratchName } from "@/lib/ingest/staging-sql";
import type { Run } from "@/db/schema/pipelines";
import { createDefaultPipeline } from "@/lib/pipeline/pipelines";
import { requestRunInTransaction } from "@/lib/pipeline/runs";
import {
  getActiveDatasetLoad,
  getDatasetLoad,
  getDatasetById,
  getDatasetByName,
  getDatasetVersion,
  getLatestDatasetVersion,
  insertDataset,
  insertDatasetLoad,
  insertDatasetVersion,
  lockDataset,
} from "@/db/queries/datasets";
import { ingestDatasetJob } from "@/lib/queue/jobs";
import { getEnv } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { getObjectStore } from "@/lib/storage";
import { withTransaction } from "@/lib/queue/transaction";
import { createByteCap } from "@/lib/ingest/byte-cap";
import { openCsv } from "@/lib/ingest/load-staging";
import { emptyFileError } from "@/lib/ingest/scratch-table";
import { CsvFormatError } from "@/lib/csv/errors";
import { assertNameFreeOfModels, resolveOptions } from "@/lib/ingest/register";
import { versionStorageKey } from "@/lib/ingest/run-load";
import { datasetNameField, datasetOptionsInput } from "@/lib/validation/datasets";

type Actor = { id: string };

/** How to load the upload while it streams in: the options and version number it will have. */
type Speculate = { options: DatasetOptions; overrides: Map<string, ColumnType>; versionNumber: number };

/**
 * Streams the upload into object storage and, with `speculate`, into the load's scratch table at
 * the same time (lib/ingest/speculative-load.ts), as a fetch does: the worker then only applies
 * what was staged, instead of reading the stored file again after the whole upload is in. A large
 * upload's load runs in a thread of its own (lib/ingest/upload-speculation.ts).
 */
async function storeUpload(datasetId: string, loadId: string, file: Readable, speculate?: Speculate) {
  const key = versionStorageKey(datasetId, loadId);
  const speculation = speculate
    ? createUploadSpeculation({
        table: stagingTable(scratchName(loadId)),
        typedTable: typedScratchName(loadId),
        versionNumber: speculate.versionNumber,
        options: speculate.options,
        overrides: speculate.overrides,
        maxBytes: getEnv().maxSourceBytes,
      })
    : null;
  const tap = tapIntoSpeculation(speculation);
  const capped = pipeline(file, createByteCap(getEnv().maxSourceBytes), tap.stream, () => {});
  try {
    const put = await getObjectStore().put(key, capped, { contentType: "text/csv" });
    if (put.size === 0) {
      await getObjectStore().delete(key);
      throw new UserError("The uploaded file is empty", 422, { file: ["This file is empty"] });
    }
    return { ...put, staged: await tap.staged(), speculation };
  } catch (err) {
    await speculation?.discard();
    throw err;
  }
}

/**
 * Refuses, at upload, a file the load would refuse at its first bytes: binary (signature, NUL or
 * control bytes, a web page) or empty once inflated. The same rule as the load (openCsv), so no
 * dataset is created only to fail; any other problem stays the load's to report, as before.
 */
async function refuseUnreadableUpload(key: string, options: DatasetOptions): Promise<void> {
  const empty = emptyFileError().message;
  try {
    const opened = await openCsv({ open: () => getObjectStore().get(key), maxBytes: getEnv().maxSourceBytes, options });
    opened.whole.destroy();
  } catch (err) {
    if (err instanceof CsvFormatError && err.code === "binary") throw new UserError(err.message, 422, { file: [err.message] });
    if (err instanceof UserError && err.message === empty) throw new UserError(err.message, 422, { file: ["This file is empty"] });
  }
}

export type UploadInput = { name: string; options?: z.input<typeof datasetOptionsInput>; fileName?: string };

/**
 * The input of an upload whose text fields may come after the file (multipart fields in any order):
 * what was known when the file started is checked before any byte is stored; the rest once the
 * whole request has been read.
 */
export type PendingUploadInput = { before: Partial<UploadInput>; complete: Promise<UploadInput> };

/** The `name` and `options` multipart fields of an upload; `options` is a JSON object (400 when it is not). */
export function uploadInputFromFields(fields: Record<string, string>, fileName?: string): Partial<UploadInput> {
  const input: Partial<UploadInput> = { fileName };
  if (fields.name !== undefined) input.name = fields.name;
  if (fields.options !== undefined) {
    let options: unknown;
    try {
      options = JSON.parse(fields.options);
    } catch {
      throw new UserError("options must be a JSON object", 400, { options: ["Invalid JSON"] });
    }
    input.options = datasetOptionsInput.parse(options);
  }
  return input;
}

const uploadName = (name: string | undefined) => z.object({ name: datasetNameField }).parse({ name: name ?? "" }).name;

async function assertNameAvailable(name: string) {
  await assertNameFreeOfModels(name);
  if (await getDatasetByName(name)) {
    throw new UserError(`A dataset named ${name} already exists`, 409, { name: ["This name is taken"] });
  }
}

/**
 * A new dataset from an uploaded file: the bytes stream into object storage (never whole in
 * memory), then the dataset, its first version and the load job are written in one transaction.
 * With a PendingUploadInput, nothing is written to the database before its `complete` input is
 * known and valid; a refused input removes the stored bytes.
 */
export async function registerUploadedDataset(
  input: UploadInput | PendingUploadInput,
  file: Readable,
  actor: Actor,
  trigger: "manual" | "api" = "manual",
): Promise<{ dataset: Dataset; load: DatasetLoad; run: Run }> {
  const pending = "complete" in input ? input : null;
  pending?.complete.catch(() => {}); // awaited below, unless the file fails to store first
  const known: Partial<UploadInput> = pending ? pending.before : (input as UploadInput);
  let checkedName: string | undefined;
  try {
    if (known.name !== undefined || !pending) {
      checkedName = uploadName(known.name);
      await assertNameAvailable(checkedName);
    }
    if (known.options !== undefined) resolveOptions(known.options);
  } catch (err) {
    file.resume();
    throw err;
  }
  const datasetId = crypto.randomUUID();
  const loadId = crypto.randomUUID();
  // Loaded while it streams in, with the options known so far; options that arrive after the
  // file and change how it is read throw that work away (below), and the worker loads it.
  const speculatedOptions = resolveOptions(known.options);
  const put = await storeUpload(datasetId, loadId, file, { options: speculatedOptions, overrides: new Map(), versionNumber: 1 });
  let result: { dataset: Dataset; load: DatasetLoad; run: Run };
  let staged: StagedScratch | null = null;
  try {
    const final = pending ? await pending.complete : (input as UploadInput);
    const name = uploadName(final.name);
    const options = resolveOptions(final.options);
    if (name !== checkedName) await assertNameAvailable(name);
    staged = put.staged;
    if (staged && JSON.stringify(options) !== JSON.stringify(speculatedOptions)) {
      staged = null;
      await put.speculation?.discard();
    }
    // Staged means the head was read with these options already; otherwise read it now.
    if (!staged) await refuseUnreadableUpload(put.key, options);
    result = await withTransaction(async (tx, send) => {
      const dataset = await insertDataset(
        { id: datasetId, name, sourceType: "upload", sourceUrl: null, options, status: "loading", createdBy: actor.id },
        tx,
      );
      if (!dataset) throw new UserError(`A dataset named ${name} already exists`, 409, { name: ["This name is taken"] });
      const version = await insertDatasetVersion(
        {
          datasetId,
          sha256: put.sha256,
          bytes: put.size,
          storageKey: put.key,
          source: `upload:${final.fileName ?? "file.csv"}`,
          contentType: "text/csv",
        },
        tx,
      );
      const pipeline = await createDefaultPipeline(dataset, actor, tx);
      const run = await requestRunInTransaction(tx, send, pipeline.id, { trigger, actor, versionId: version.id, loadId, staged });
      const load = (await getDatasetLoad(run.loadId!, tx))!;
      return { dataset, load, run };
    });
  } catch (err) {
    await put.speculation?.discard();
    await getObjectStore()
      .delete(put.key)
      .catch(() => {});
    throw err;
  }
  // Committed: from here on nothing may remove the stored file or the staged table.
  // A run that did not start at once made a load of its own: nothing reads this scratch table.
  if (staged && result.load.id !== loadId) await put.speculation?.discard();
  await audit(
    "dataset.created",
    actor,
    { type: "dataset", id: result.dataset.id, name: result.dataset.name },
    { source: "upload", trigger },
  );
  return result;
}

/**
 * A new file for an existing dataset; identical content to the latest version is reported unchanged.
 * `bodyRead` (a multipart body's remaining fields) must settle before anything is kept: when it
 * rejects, the stored bytes are removed.
 */
export async function uploadDatasetVersion(
  datasetId: string,
  file: Readable,
  actor: Actor,
  fileName?: string,
  bodyRead?: Promise<unknown>,
): Promise<{ load: DatasetLoad | null; unchanged: boolean }> {
  const dataset = await getDatasetById(datasetId);
  if (!dataset) {
    file.resume();
    throw new UserError("Dataset not found", 404);
  }
  const loadId = crypto.randomUUID();
  const latest = await getLatestDatasetVersion(dataset.id);
  const overrides = new Map(dataset.columns.filter((c) => c.overrideType).map((c) => [c.name, c.overrideType!] as const));
  const put = await storeUpload(dataset.id, loadId, file, {
    options: dataset.options,
    overrides,
    versionNumber: (latest?.version ?? 0) + 1,
  });
  await bodyRead?.catch(async (err) => {
    await put.speculation?.discard();
    await getObjectStore()
      .delete(put.key)
      .catch(() => {});
    throw err;
  });
  const current = dataset.currentVersionId ? await getDatasetVersion(dataset.currentVersionId) : await getLatestDatasetVersion(dataset.id);
  if (current?.sha256 === put.sha256) {
    await put.speculation?.discard();
    await getObjectStore().delete(put.key);
    return { load: null, unchanged: true };
  }
  try {
    const load = await withTransaction(async (tx, send) => {
      await lockDataset(dataset.id, tx);
      if (await getActiveDatasetLoad(dataset.id, tx)) {
        throw new UserError("A load of this dataset is already queued or running", 409);
      }
      const version = await insertDatasetVersion(
        {
          datasetId: dataset.id,
          sha256: put.sha256,
          bytes: put.size,
          storageKey: put.key,
          source: `upload:${fileName ?? "file.csv"}`,
          contentType: "text/csv",
        },
        tx,
      );
      // The version number the scratch table was stamped with must be the one this version got.
      const staged = put.staged?.versionNumber === version.version ? put.staged : null;
      const created = await insertDatasetLoad(
        { id: loadId, datasetId: dataset.id, versionId: version.id, requestedBy: actor.id, staged },
        tx,
      );
      await send(ingestDatasetJob, { loadId });
      return created;
    });
    if (!load.staged) await put.speculation?.discard();
    return { load, unchanged: false };
  } catch (err) {
    await put.speculation?.discard();
    await getObjectStore()
      .delete(put.key)
      .catch(() => {});
    throw err;
  }
}
