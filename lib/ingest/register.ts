import { audit } from "@/lib/audit";
import { z } from "zod";
import type { Dataset, DatasetLoad, DatasetOptions } from "@/db/schema/datasets";
import type { Run } from "@/db/schema/pipelines";
import { createDefaultPipeline } from "@/lib/pipeline/pipelines";
import { requestRunInTransaction } from "@/lib/pipeline/runs";
import {
  getActiveDatasetLoad,
  getDatasetLoad,
  getDatasetById,
  getDatasetByName,
  getDatasetVersion,
  insertDataset,
  insertDatasetLoad,
  lockDataset,
} from "@/db/queries/datasets";
import { getModelByName } from "@/db/queries/models";
import { ingestDatasetJob } from "@/lib/queue/jobs";
import { UserError } from "@/lib/errors";
import { checkOutboundUrl, defaultAllowList, type HostLookup } from "@/lib/net/outbound";
import { explainRefusal, OutboundBlockedError } from "@/lib/net/errors";
import { withTransaction } from "@/lib/queue/transaction";
import { datasetOptionsInput, registerUrlDatasetInput, type DatasetOptionsInput } from "@/lib/validation/datasets";

type Actor = { id: string };

export function resolveOptions(input: DatasetOptionsInput | undefined): DatasetOptions {
  const parsed = datasetOptionsInput.parse(input ?? {});
  return { ...parsed, badRows: parsed.badRows };
}

/**
 * Refuses URLs the server must never fetch (other schemes, credentials, blocked addresses) up
 * front, with the fetch's own guard and allow list: a name is resolved now, so `localhost` is
 * refused at once with the same message as 127.0.0.1 instead of failing the first load.
 */
export async function checkSourceUrl(url: string, opts?: { lookup?: HostLookup }): Promise<string> {
  try {
    return (await checkOutboundUrl(url, { allow: defaultAllowList(), lookup: opts?.lookup })).toString();
  } catch (err) {
    if (err instanceof OutboundBlockedError) {
      const message = explainRefusal(err, "upload the file instead");
      throw new UserError(message, 400, { csvUrl: [message] });
    }
    throw err;
  }
}

function nameTaken(name: string): UserError {
  return new UserError(`A dataset named ${name} already exists`, 409, { name: ["This name is taken"] });
}

/** Datasets and models share the warehouse, so their names must not collide. */
export async function assertNameFreeOfModels(name: string): Promise<void> {
  if (await getModelByName(name)) {
    throw new UserError(`A model named ${name} exists; datasets and models share the warehouse, so pick another name`, 409, {
      name: ["This name is taken by a model"],
    });
  }
}

/** What already holds a name in the warehouse, for the form's early "taken" message; submit checks again. */
export async function nameTakenBy(name: string): Promise<"dataset" | "model" | null> {
  if (await getDatasetByName(name)) return "dataset";
  if (await getModelByName(name)) return "model";
  return null;
}

/** Registers a dataset fetched from a URL, creates its default pipeline and starts its first run, in one transaction. */
export async function registerUrlDataset(
  input: z.input<typeof registerUrlDatasetInput>,
  actor: Actor,
  trigger: "manual" | "api" = "manual",
): Promise<{ dataset: Dataset; load: DatasetLoad; run: Run }> {
  const data = registerUrlDatasetInput.parse(input);
  const sourceUrl = await checkSourceUrl(data.csvUrl);
  const options = resolveOptions(data.options);
  await assertNameFreeOfModels(data.name);
  return withTransaction(async (tx, send) => {
    const dataset = await insertDataset(
      { name: data.name, sourceType: "url", sourceUrl, options, status: "loading", createdBy: actor.id },
      tx,
    );
    if (!dataset) throw nameTaken(data.name);
    // Its default pipeline, and that pipeline's first run: fetch → load → models → summary.
    const pipeline = await createDefaultPipeline(dataset, actor, tx);
    const run = await requestRunInTransaction(tx, send, pipeline.id, { trigger, actor });
    const load = (await getDatasetLoad(run.loadId!, tx))!;
    return { dataset, load, run };
  }).then(async (result) => {
    await audit(
      "dataset.created",
      actor,
      { type: "dataset", id: result.dataset.id, name: result.dataset.name },
      { source: "url", trigger },
    );
    return result;
  });
}

/**
 * "Load now" (fetch again; unchanged content is skipped unless forced) or reload of one stored
 * version. One load per dataset at a time.
 */
export async function requestDatasetLoad(
  datasetId: string,
  opts: { force?: boolean; versionId?: string },
  actor: Actor,
): Promise<DatasetLoad> {
  const dataset = await getDatasetById(datasetId);
  if (!dataset) throw new UserError("Dataset not found", 404);
  if (opts.versionId) {
    const version = await getDatasetVersion(opts.versionId);
    if (!version || version.datasetId !== dataset.id) throw new UserError("Version not found", 404);
  } else if (!dataset.sourceUrl) {
    throw new UserError("This dataset was uploaded; upload a new file or reload a stored version", 409);
  }
  return withTransaction(async (tx, send) => {
    await lockDataset(dataset.id, tx);
    const active = await getActiveDatasetLoad(dataset.id, tx);
    if (active) throw new UserError("A load of this dataset is already queued or running", 409);
    const load = await insertDatasetLoad(
      { datasetId: dataset.id, requestedBy: actor.id, force: Boolean(opts.force || opts.versionId), versionId: opts.versionId ?? null },
      tx,
    );
    await send(ingestDatasetJob, { loadId: load.id });
    return load;
  });
}
