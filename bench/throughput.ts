import { median } from "@/bench/run-latency";
import type { Target } from "@/bench/report";

/**
 * Many small pipelines at once: N datasets registered back to back (each registration starts its
 * pipeline's first run), worked off by the given worker processes; runs per minute from the first
 * registration to the last run's finish. Destinations are deleted first, so every deliver step
 * is skipped ("no default Slack destination") and Slack's 1 post/s pacing plays no part.
 */

export type ThroughputResult = {
  pipelines: number;
  rowsEach: number;
  workers: number;
  /** Seconds spent registering all N (the runs start while this goes on). */
  registerSeconds: number;
  /** First registration to the last run's finished_at. */
  wallSeconds: number | null;
  runsPerMinute: number | null;
  succeeded: number;
  failed: number;
  unfinished: number;
  /** Steps each worker ran (distinct worker_id in run_steps). */
  stepsPerWorker: number[];
  /** Median ms per run: queued-to-fetch-start, the sum of step durations, the sum of the gaps between steps. */
  medianFirstPickupMs: number | null;
  medianStepWorkMs: number | null;
  medianStepGapsMs: number | null;
  error: string | null;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An empty result; with `error`, one for a part that could not run (e.g. a worker did not start). */
export function failedThroughput(pipelines: number, rowsEach: number, error: string | null, workers = 2): ThroughputResult {
  return {
    pipelines,
    rowsEach,
    workers,
    registerSeconds: 0,
    wallSeconds: null,
    runsPerMinute: null,
    succeeded: 0,
    failed: 0,
    unfinished: pipelines,
    stepsPerWorker: [],
    medianFirstPickupMs: null,
    medianStepWorkMs: null,
    medianStepGapsMs: null,
    error,
  };
}

export async function measureThroughput(opts: {
  pipelines: number;
  rowsEach: number;
  csvUrl: (i: number) => string;
  actor: { id: string };
  workers: number;
  timeoutMs: number;
  workersAlive: () => boolean;
  log: (msg: string) => void;
}): Promise<ThroughputResult> {
  const { getSql } = await import("@/db");
  const { registerUrlDataset } = await import("@/lib/ingest/register");
  const sql = getSql();
  const result = failedThroughput(opts.pipelines, opts.rowsEach, null, opts.workers);
  const runIds: string[] = [];
  try {
    await sql`delete from relayboard.destinations`;
    const started = Date.now();
    for (let i = 0; i < opts.pipelines; i++) {
      const { run } = await registerUrlDataset(
        { name: `bench_tp_${String(i).padStart(3, "0")}`, csvUrl: opts.csvUrl(i) },
        opts.actor,
        "api",
      );
      runIds.push(run.id);
    }
    result.registerSeconds = (Date.now() - started) / 1000;
    opts.log(`throughput: ${opts.pipelines} datasets registered in ${result.registerSeconds.toFixed(1)} s`);
    const deadline = started + opts.timeoutMs;
    let lastLog = Date.now();
    for (;;) {
      const [counts] = await sql`
        select count(*) filter (where status = 'succeeded')::int as ok,
               count(*) filter (where status in ('failed', 'cancelled'))::int as bad,
               count(*) filter (where status not in ('succeeded', 'failed', 'cancelled'))::int as open,
               extract(epoch from max(finished_at)) * 1000 as last_ms
        from relayboard.runs where id = any(${runIds}::uuid[])`;
      result.succeeded = counts!.ok as number;
      result.failed = counts!.bad as number;
      result.unfinished = counts!.open as number;
      if (result.unfinished === 0) {
        result.wallSeconds = (Number(counts!.last_ms) - started) / 1000;
        result.runsPerMinute = (runIds.length / result.wallSeconds) * 60;
        break;
      }
      if (!opts.workersAlive()) throw new Error(`a worker exited with ${result.unfinished} runs unfinished`);
      if (Date.now() > deadline)
        throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s with ${result.unfinished} runs unfinished`);
      if (Date.now() - lastLog >= 10_000) {
        lastLog = Date.now();
        opts.log(`throughput: ${result.succeeded + result.failed}/${runIds.length} runs finished`);
      }
      await sleep(250);
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    opts.log(`throughput: ${result.error}`);
  }
  if (runIds.length) {
    const perWorker = await sql`
      select count(*)::int as n from relayboard.run_steps
      where run_id = any(${runIds}::uuid[]) and worker_id is not null group by worker_id order by 1 desc`;
    result.stepsPerWorker = perWorker.map((r) => r.n as number);
    // Per run: queue wait before fetch, time inside steps, and time between steps.
    const perRun = await sql`
      select extract(epoch from min(s.started_at) - r.created_at) * 1000 as first_pickup,
             sum(extract(epoch from s.finished_at - s.started_at)) * 1000 as work,
             extract(epoch from max(s.finished_at) - min(s.started_at)) * 1000 - sum(extract(epoch from s.finished_at - s.started_at)) * 1000 as gaps
      from relayboard.runs r join relayboard.run_steps s on s.run_id = r.id
      where r.id = any(${runIds}::uuid[]) and s.started_at is not null and s.finished_at is not null
      group by r.id, r.created_at`;
    const col = (k: string) => median(perRun.map((r) => Number(r[k])));
    result.medianFirstPickupMs = col("first_pickup");
    result.medianStepWorkMs = col("work");
    result.medianStepGapsMs = col("gaps");
  }
  return result;
}

export function throughputTarget(r: ThroughputResult | null, skipped?: string): Target {
  const name = `throughput, ${r?.pipelines ?? "N"} small pipelines, ${r?.workers ?? 2} workers`;
  const limit = "none set (figure only)";
  if (!r || r.runsPerMinute === null)
    return { name, limit, measured: r?.error ? `failed: ${r.error.slice(0, 80)}` : (skipped ?? "not measured"), holds: null };
  return {
    name,
    limit,
    measured: `${r.runsPerMinute.toFixed(1)} runs/min, ${r.succeeded}/${r.pipelines} succeeded`,
    holds: null,
    note: "no target",
  };
}

export function throughputLines(r: ThroughputResult): string[] {
  const ms = (x: number | null) => (x === null ? "n/a" : `${Math.round(x)} ms`);
  return [
    `Throughput (${r.pipelines} datasets × ${r.rowsEach} rows, each registration starts its pipeline's first run; ${r.workers} worker processes; ` +
      `destinations deleted first, so every deliver step is skipped and Slack pacing plays no part):`,
    "",
    "| Figure | Value |",
    "| --- | ---: |",
    `| registering all ${r.pipelines} (runs start meanwhile) | ${r.registerSeconds.toFixed(1)} s |`,
    `| first registration → last run finished | ${r.wallSeconds === null ? "n/a" : `${r.wallSeconds.toFixed(1)} s`} |`,
    `| **runs per minute** | ${r.runsPerMinute === null ? "n/a" : r.runsPerMinute.toFixed(1)} |`,
    `| runs succeeded / failed / unfinished | ${r.succeeded} / ${r.failed} / ${r.unfinished} |`,
    `| steps per worker | ${r.stepsPerWorker.join(" / ") || "n/a"} |`,
    `| per run (median): created → fetch picked up | ${ms(r.medianFirstPickupMs)} |`,
    `| per run (median): time inside the 5 steps | ${ms(r.medianStepWorkMs)} |`,
    `| per run (median): gaps between its steps (queue pickup) | ${ms(r.medianStepGapsMs)} |`,
    ...(r.error ? ["", `Throughput: **failed**: ${r.error}`] : []),
  ];
}
