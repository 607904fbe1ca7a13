import { audit } from "@/lib/audit";
import crypto from "node:crypto";
import { pipeline, type Readable } from "node:stream";
import type { z } from "zod";
import type { Dataset, DatasetLoad } from "@/db/schema/datasets";
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
import { assertNameFreeOfModels, resolveOptions } from "@/lib/ingest/register";
import { versionStorageKey } from "@/lib/ingest/run-load";
import { datasetNameField, datasetOptionsInput } from "@/lib/validation/datasets";

type Actor = { id: string };

async function storeUpload(datasetId: string, loadId: string, file: Readable) {
  const key = versionStorageKey(datasetId, loadId);
  const capped = pipeline(file, createByteCap(getEnv().maxSourceBytes), () => {});
  const put = await getObjectStore().put(key, capped, { contentType: "text/csv" });
  if (put.size === 0) {
    await getObjectStore().delete(key);
    throw new UserError("The uploaded file is empty", 422, { file: ["The file is empty"] });
  }
  return put;
}

/**
 * A new dataset from an uploaded file: the bytes stream into object storage (never whole in
 * memory), then the dataset, its first version and the load job are written in one transaction.
 */
export async function registerUploadedDataset(
  input: { name: string; options?: z.input<typeof datasetOptionsInput>; fileName?: string },
  file: Readable,
  actor: Actor,
  trigger: "manual" | "api" = "manual",
): Promise<{ dataset: Dataset; load: DatasetLoad; run: Run }> {
  const name = datasetNameField.parse(input.name);
  const options = resolveOptions(input.options);
  await assertNameFreeOfModels(name).catch((err) => {
    file.resume();
    throw err;
  });
  if (await getDatasetByName(name)) {
    file.resume();
    throw new UserError(`A dataset named ${name} already exists`, 409, { name: ["This name is taken"] });
  }
  const datasetId = crypto.randomUUID();
  const loadId = crypto.randomUUID();
  const put = await storeUpload(datasetId, loadId, file);
  try {
    return await withTransaction(async (tx, send) => {
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
          source: `upload:${input.fileName ?? "file.csv"}`,
          contentType: "text/csv",
        },
        tx,
      );
      const pipeline = await createDefaultPipeline(dataset, actor, tx);
      const run = await requestRunInTransaction(tx, send, pipeline.id, { trigger, actor, versionId: version.id });
      const load = (await getDatasetLoad(run.loadId!, tx))!;
      return { dataset, load, run };
    }).then(async (result) => {
      await audit(
        "dataset.created",
        actor,
        { type: "dataset", id: result.dataset.id, name: result.dataset.name },
        { source: "upload", trigger },
      );
      return result;
    });
  } catch (err) {
    await getObjectStore()
      .delete(put.key)
      .catch(() => {});
    throw err;
  }
}

/** A new file for an existing dataset; identical content to the latest version is reported unchanged. */
export async function uploadDatasetVersion(
  datasetId: string,
  file: Readable,
  actor: Actor,
  fileName?: string,
): Promise<{ load: DatasetLoad | null; unchanged: boolean }> {
  const dataset = await getDatasetById(datasetId);
  if (!dataset) {
    file.resume();
    throw new UserError("Dataset not found", 404);
  }
  const loadId = crypto.randomUUID();
  const put = await storeUpload(dataset.id, loadId, file);
  const current = dataset.currentVersionId ? await getDatasetVersion(dataset.currentVersionId) : await getLatestDatasetVersion(dataset.id);
  if (current?.sha256 === put.sha256) {
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
      const created = await insertDatasetLoad({ id: loadId, datasetId: dataset.id, versionId: version.id, requestedBy: actor.id }, tx);
      await send(ingestDatasetJob, { loadId });
      return created;
    });
    return { load, unchanged: false };
  } catch (err) {
    await getObjectStore()
      .delete(put.key)
      .catch(() => {});
    throw err;
  }
}
