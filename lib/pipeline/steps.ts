import type { Logger } from "pino";
import { getSql } from "@/db";
import { getDatasetById, getDatasetLoad, updateDataset, updateDatasetLoad } from "@/db/queries/datasets";
import { getPipelineById } from "@/db/queries/pipelines";
import type { Run, RunStep, StepCounts } from "@/db/schema/pipelines";
import { runDatasetLoad, type LoadOutcome } from "@/lib/ingest/run-load";
import { buildModels, loadProject } from "@/lib/transform/build";
import { downstreamOf } from "@/lib/transform/dag";
import { deliverRunMessages } from "@/lib/pipeline/deliveries";
import { noticeSchemaChanges } from "@/lib/pipeline/schema-notice";
import { TransientStepError, describeFault, isTransientFault } from "@/lib/pipeline/faults";
import { describeTestOutcome, runTestResults } from "@/lib/pipeline/test-outcomes";
import { isBlockingResult } from "@/lib/transform/test-severity";

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Whether another run of this pipeline already succeeded on this dataset version. */
async function pipelineHandledVersion(pipelineId: string, runId: string, versionId: string): Promise<boolean> {
  const rows = await getSql()`
    select 1 from relayboard.runs r
    join relayboard.dataset_loads l on l.id = r.load_id
    join relayboard.run_steps s on s.run_id = r.id and s.name = 'deliver'
    where r.pipeline_id = ${pipelineId} and r.id <> ${runId} and r.status = 'succeeded'
      and l.version_id = ${versionId} and s.status = 'succeeded'
    limit 1`;
  return rows.length > 0;
}

export type StepResult = {
  status: "succeeded" | "failed" | "skipped" | "cancelled";
  counts?: StepCounts;
  progress?: RunStep["progress"];
  error?: { message: string; detail?: string };
  skipReason?: string;
  /** Ends the run successfully after this step (an unchanged source). */
  skipRest?: boolean;
};

export type StepRuntime = {
  log: Logger;
  signal: AbortSignal;
  stepLog: (level: "info" | "warn" | "error", message: string) => Promise<void>;
  /** 1 on the first try; the step runner tries again after transient failures. */
  tryNumber: number;
  isLastTry: boolean;
};

/**
 * One half of the dataset load. A transient failure (storage, source or database away) is thrown
 * for the step runner to try again; on the last try it ends the load, saying what was away.
 */
async function loadStage(run: Run, datasetId: string, stage: "fetch" | "load", rt: StepRuntime): Promise<LoadOutcome> {
  try {
    return await runDatasetLoad(run.loadId!, { log: rt.log, signal: rt.signal, stage, isLastAttempt: false });
  } catch (err) {
    if (rt.signal.aborted || !isTransientFault(err)) throw err;
    const fault = describeFault(err);
    if (!rt.isLastTry) throw new TransientStepError(fault, { cause: err });
    const error = { ...fault, message: `${fault.message} (gave up after ${rt.tryNumber} tries)` };
    await updateDatasetLoad(run.loadId!, { status: "failed", error, phase: null, finishedAt: new Date() });
    await updateDataset(datasetId, { status: "failed" });
    return { kind: "failed", error };
  }
}

/** What each step does. Every step can run twice (a worker died) with the same result. */
export async function performStep(run: Run, step: RunStep, rt: StepRuntime): Promise<StepResult> {
  const pipeline = await getPipelineById(run.pipelineId);
  if (!pipeline) return { status: "failed", error: { message: "The pipeline was deleted" } };
  const dataset = await getDatasetById(pipeline.datasetId);
  if (!dataset) return { status: "failed", error: { message: "The dataset was deleted" } };

  switch (step.name) {
    case "fetch": {
      if (!dataset.sourceUrl) {
        await rt.stepLog("info", "Uploaded dataset: loading its current version");
        return { status: "succeeded", skipReason: "uploaded dataset: nothing to fetch" };
      }
      const outcome = await loadStage(run, dataset.id, "fetch", rt);
      const load = await getDatasetLoad(run.loadId!);
      if (outcome.kind === "failed") return { status: "failed", error: { message: outcome.error.message, detail: outcome.error.detail } };
      if (outcome.kind === "gone") return { status: "failed", error: { message: "The load record is gone" } };
      if (outcome.kind === "unchanged") {
        // Unchanged for the dataset is not the same as already handled by this pipeline: a second
        // pipeline (a digest, say) still runs once for a version it has not delivered yet.
        const handled = outcome.versionId ? await pipelineHandledVersion(pipeline.id, run.id, outcome.versionId) : true;
        const skip = !run.force && handled;
        if (load?.timings.notModified) await rt.stepLog("info", "The source answered 304 Not Modified: nothing was downloaded");
        await rt.stepLog(
          "info",
          skip
            ? "The source has not changed since this pipeline last ran"
            : "The source has not changed; this pipeline has not run on this version yet",
        );
        return {
          status: "succeeded",
          counts: { bytes: load?.bytesRead ?? 0 },
          skipRest: skip,
          skipReason: skip ? "source unchanged (run with force to reload)" : undefined,
        };
      }
      await rt.stepLog("info", `Fetched ${load?.bytesRead ?? 0} bytes`);
      return { status: "succeeded", counts: { bytes: load?.bytesRead ?? 0 } };
    }
    case "load": {
      const load = await getDatasetLoad(run.loadId!);
      if (load && !load.versionId && !dataset.sourceUrl && dataset.currentVersionId) {
        await updateDatasetLoad(load.id, { versionId: dataset.currentVersionId });
      }
      const outcome = await loadStage(run, dataset.id, "load", rt);
      if (outcome.kind === "failed") return { status: "failed", error: { message: outcome.error.message, detail: outcome.error.detail } };
      if (outcome.kind !== "loaded" && outcome.kind !== "unchanged") return { status: "failed", error: { message: "Nothing was loaded" } };
      const after = await getDatasetLoad(run.loadId!);
      await rt.stepLog("info", `Loaded ${after?.rowsLoaded ?? 0} rows`);
      const warnings = after?.warnings.map((w) => w.message) ?? [];
      // A new shape is worth a look even when every model still builds.
      // Only when this load made the version current: a forced reload of it is not news again.
      const newVersion = outcome.kind === "loaded" && outcome.versionId !== dataset.currentVersionId;
      const shape = newVersion ? await noticeSchemaChanges(pipeline, dataset, outcome.versionId) : null;
      if (shape) warnings.push(shape);
      for (const warning of warnings) await rt.stepLog("warn", warning);
      return {
        status: "succeeded",
        counts: {
          rows: after?.rowsLoaded ?? 0,
          bytes: after?.bytesRead ?? 0,
          rowsSkipped: after?.rowsSkipped ?? 0,
          rowsPadded: after?.rowsPadded ?? 0,
          ...(warnings.length ? { warnings } : {}),
        },
      };
    }
    case "transform": {
      const project = await loadProject();
      const names = pipeline.models ?? [...downstreamOf(project.graph, [dataset.name])].filter((n) => project.catalog.models.has(n));
      if (names.length === 0) {
        await rt.stepLog("info", "No models use this dataset yet");
        return { status: "succeeded", counts: { models: 0 } };
      }
      const summary = await buildModels({ names }, project);
      const failed = summary.builds.filter((b) => b.status === "failed");
      for (const build of summary.builds) {
        await rt.stepLog(
          build.status === "failed" ? "error" : "info",
          `${build.modelName}: ${build.status}${build.error ? ` — ${build.error.message}` : ""}`,
        );
      }
      const counts = { models: summary.builds.filter((b) => b.status === "succeeded").length };
      if (failed.length) {
        return {
          status: "failed",
          counts,
          progress: { batchId: summary.batchId },
          error: {
            message: `${failed.length} model${failed.length > 1 ? "s" : ""} failed: ${failed.map((b) => b.modelName).join(", ")}`,
            detail: failed[0]!.error?.message,
          },
        };
      }
      return { status: "succeeded", counts, progress: { batchId: summary.batchId } };
    }
    case "test": {
      const results = await runTestResults(run.id);
      const blocking = results.filter(isBlockingResult);
      const warned = results.filter((t) => t.status !== "passed" && !isBlockingResult(t));
      for (const t of [...blocking, ...warned]) await rt.stepLog(blocking.includes(t) ? "error" : "warn", describeTestOutcome(t));
      const warnings = warned.map(describeTestOutcome);
      const counts: StepCounts = {
        tests: results.length,
        testsFailed: blocking.length,
        testsWarned: warned.length,
        ...(warnings.length ? { warnings } : {}),
      };
      if (blocking.length) {
        return {
          status: "failed",
          counts,
          error: {
            message: `${plural(blocking.length, "data test")} failed; nothing was delivered`,
            detail: blocking.map(describeTestOutcome).join("\n"),
          },
        };
      }
      if (warned.length && pipeline.stopOnTestFailure) {
        return {
          status: "failed",
          counts,
          error: {
            message: `${plural(warned.length, "data test")} warned; nothing was delivered (the pipeline treats test warnings as failures)`,
            detail: warnings.join("\n"),
          },
        };
      }
      return { status: "succeeded", counts };
    }
    case "deliver": {
      const result = await deliverRunMessages(run, pipeline, dataset, rt);
      if (result.failed > 0) {
        return { status: "failed", counts: { messages: result.sent }, error: { message: result.errors.join("; ") } };
      }
      // Nothing sent at all is worth a look even when every skip was on purpose: the team hears nothing.
      const nothingSent = result.sent === 0 && result.skipped.length > 0 && result.refused.length === 0;
      const skipReason = result.skipped.join("; ");
      const warnings = [...result.refused, ...(nothingSent ? [`No message was sent: ${skipReason}`] : [])];
      return {
        status: "succeeded",
        counts: {
          messages: result.sent,
          messagesSkipped: result.skipped.length + result.refused.length,
          ...(warnings.length ? { warnings } : {}),
        },
        ...(nothingSent ? { skipReason } : {}),
      };
    }
  }
}
