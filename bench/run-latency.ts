import type { Target } from "@/bench/report";
import type { SlackSink } from "@/lib/slack/sink";

/**
 * End-to-end latency of a forced run of a small dataset: requestRun() to the Slack stand-in
 * receiving that run's message, with one worker. Step times and the gaps between steps (the
 * queue pickup) come from relayboard.run_steps.
 */

export const LATENCY_LIMIT_S = 2;
const STEPS = ["fetch", "load", "transform", "test", "deliver"] as const;
// Slack pacing allows one post a second per webhook: start each run after that has passed.
const PACING_MS = 1_100;

export type LatencySample = { runId: string; status: string; seconds: number | null; segments: Record<string, number> };

export type LatencyResult = {
  dataset: string;
  rows: number;
  workers: number;
  requested: number;
  samples: LatencySample[];
  medianSeconds: number | null;
  minSeconds: number | null;
  maxSeconds: number | null;
  /** Median milliseconds of each segment (step durations and the gaps before them) over the samples. */
  segmentMedians: Record<string, number>;
  error: string | null;
};

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Epoch milliseconds (the app's client returns timestamps as text, so they are converted in SQL). */
type StepRow = { name: string; status: string; started_ms: number | null; finished_ms: number | null };

/** Segment names in run order: the queue gap before each step, then the step itself. */
export function segmentNames(): string[] {
  return STEPS.flatMap((s, i) => [i === 0 ? "request → fetch picked up" : `queue: ${STEPS[i - 1]} → ${s}`, s]);
}

const REQUEST_CALL = "  requestRun() itself (its transaction, enqueueing fetch)";
const DELIVER_POST = "  deliver start → Slack stand-in received";

function segmentsOf(requestedAt: number, returnedAt: number, steps: StepRow[], messageAt: number | null): Record<string, number> {
  const out: Record<string, number> = { [REQUEST_CALL]: returnedAt - requestedAt };
  const names = segmentNames();
  let previousEnd = requestedAt;
  for (const [i, name] of STEPS.entries()) {
    const step = steps.find((s) => s.name === name);
    if (step?.started_ms == null || step.finished_ms == null) return out;
    out[names[2 * i]!] = step.started_ms - previousEnd;
    out[name] = step.finished_ms - step.started_ms;
    previousEnd = step.finished_ms;
  }
  const deliver = steps.find((s) => s.name === "deliver")!;
  if (messageAt !== null) out[DELIVER_POST] = messageAt - deliver.started_ms!;
  return out;
}

async function waitFor<T>(what: string, timeoutMs: number, everyMs: number, probe: () => Promise<T | null> | T | null): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

const TERMINAL = ["succeeded", "failed", "cancelled"];

/** An empty result; with `error`, one for a part that could not run (e.g. its worker did not start). */
export function failedLatency(rows: number, runs: number, error: string | null, dataset = "bench_latency"): LatencyResult {
  return {
    dataset,
    rows,
    workers: 1,
    requested: runs,
    samples: [],
    medianSeconds: null,
    minSeconds: null,
    maxSeconds: null,
    segmentMedians: {},
    error,
  };
}

export async function measureRunLatency(opts: {
  name: string;
  csvUrl: string;
  rows: number;
  sink: SlackSink;
  actor: { id: string };
  runs: number;
  runTimeoutMs: number;
  workerAlive: () => boolean;
  log: (msg: string) => void;
}): Promise<LatencyResult> {
  const { getSql } = await import("@/db");
  const { createDestination } = await import("@/lib/slack/destinations");
  const { registerUrlDataset } = await import("@/lib/ingest/register");
  const { requestRun } = await import("@/lib/pipeline/runs");
  const sql = getSql();
  const result = failedLatency(opts.rows, opts.runs, null, opts.name);
  const messageFor = (runId: string) => opts.sink.messages.find((m) => JSON.stringify(m.body).includes(runId)) ?? null;
  const runFinished = async (runId: string) => {
    if (!opts.workerAlive()) throw new Error("the worker exited");
    const [run] = await sql`select status from relayboard.runs where id = ${runId}`;
    return run && TERMINAL.includes(run.status as string) ? (run.status as string) : null;
  };
  try {
    // Before the dataset exists, so its default pipeline delivers to it.
    await createDestination({ webhookUrl: opts.sink.webhookUrl("/services/TB/BB/bench"), name: "bench sink" }, opts.actor);
    const first = await registerUrlDataset({ name: opts.name, csvUrl: opts.csvUrl }, opts.actor, "api");
    const firstStatus = await waitFor("the first run", opts.runTimeoutMs, 100, () => runFinished(first.run.id));
    if (firstStatus !== "succeeded") throw new Error(`the first run (registration) ${firstStatus}`);
    if (!messageFor(first.run.id)) throw new Error("the first run succeeded but its message did not reach the stand-in");
    opts.log(`latency: dataset registered, first run delivered; ${opts.runs} forced runs follow`);

    for (let i = 0; i < opts.runs; i++) {
      const lastMessage = opts.sink.messages.at(-1)?.receivedAt ?? 0;
      if (Date.now() - lastMessage < PACING_MS) await sleep(PACING_MS - (Date.now() - lastMessage));
      const requestedAt = Date.now();
      const run = await requestRun(first.run.pipelineId, { trigger: "api", force: true, actor: opts.actor });
      const returnedAt = Date.now();
      // The stand-in runs in this process: scanning its list is cheap, so look often.
      const message = await waitFor(`run ${run.id}'s message`, opts.runTimeoutMs, 5, async () => {
        const m = messageFor(run.id);
        if (m) return m;
        const status = await runFinished(run.id);
        if (status) throw new Error(`run ${run.id} ${status} without a message`);
        return null;
      }).catch(async (err: unknown) => {
        result.samples.push({
          runId: run.id,
          status: (await runFinished(run.id).catch(() => null)) ?? "unfinished",
          seconds: null,
          segments: {},
        });
        throw err;
      });
      const status = await waitFor(`run ${run.id} to finish`, opts.runTimeoutMs, 20, () => runFinished(run.id));
      const steps = (
        await sql`
        select name, status, extract(epoch from started_at) * 1000 as started_ms, extract(epoch from finished_at) * 1000 as finished_ms
        from relayboard.run_steps where run_id = ${run.id} order by position`
      ).map((r) => ({
        name: r.name as string,
        status: r.status as string,
        started_ms: r.started_ms === null ? null : Number(r.started_ms),
        finished_ms: r.finished_ms === null ? null : Number(r.finished_ms),
      }));
      const sample = {
        runId: run.id,
        status,
        seconds: (message.receivedAt - requestedAt) / 1000,
        segments: segmentsOf(requestedAt, returnedAt, steps, message.receivedAt),
      };
      result.samples.push(sample);
      opts.log(`latency run ${i + 1}/${opts.runs}: ${sample.seconds.toFixed(3)} s to the message, ${status}`);
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    opts.log(`latency: ${result.error}`);
  }
  const seconds = result.samples.map((s) => s.seconds).filter((s): s is number => s !== null);
  result.medianSeconds = median(seconds);
  result.minSeconds = seconds.length ? Math.min(...seconds) : null;
  result.maxSeconds = seconds.length ? Math.max(...seconds) : null;
  const [first, ...rest] = segmentNames();
  const names = [first!, REQUEST_CALL, ...rest, DELIVER_POST];
  for (const name of names) {
    const m = median(result.samples.map((s) => s.segments[name]).filter((v): v is number => v !== undefined));
    if (m !== null) result.segmentMedians[name] = m;
  }
  return result;
}

export function latencyTarget(r: LatencyResult | null, skipped?: string): Target {
  const name = "run latency, request → Slack message (median)";
  const limit = `< ${LATENCY_LIMIT_S} s`;
  if (!r || r.medianSeconds === null)
    return { name, limit, measured: r?.error ? `failed: ${r.error.slice(0, 80)}` : (skipped ?? "not measured"), holds: null };
  const holds = r.medianSeconds < LATENCY_LIMIT_S && r.error === null;
  const n = r.samples.filter((s) => s.seconds !== null).length;
  return {
    name,
    limit,
    measured: `${r.medianSeconds.toFixed(2)} s (${n} runs${r.error ? `, then failed: ${r.error.slice(0, 60)}` : ""})`,
    holds: r.error ? null : holds,
    note: holds ? undefined : `missed by ${(((r.medianSeconds - LATENCY_LIMIT_S) / LATENCY_LIMIT_S) * 100).toFixed(0)} %`,
  };
}

export function latencyLines(r: LatencyResult): string[] {
  const s = (x: number | null) => (x === null ? "n/a" : `${x.toFixed(2)} s`);
  const n = r.samples.filter((x) => x.seconds !== null).length;
  const out = [
    `Run latency (${r.rows.toLocaleString("en-US")}-row dataset, forced runs, ${r.workers} worker, Slack stand-in on 127.0.0.1): ` +
      `median ${s(r.medianSeconds)}, min ${s(r.minSeconds)}, max ${s(r.maxSeconds)} over ${n} of ${r.requested} runs` +
      (r.error ? `; **failed**: ${r.error}` : ""),
    "",
    "| Segment (median over the runs) | ms |",
    "| --- | ---: |",
  ];
  let gaps = 0;
  let work = 0;
  for (const [name, ms] of Object.entries(r.segmentMedians)) {
    out.push(`| ${name.startsWith("  ") ? `  · ${name.trim()}` : name} | ${Math.round(ms)} |`);
    if (name.startsWith("queue") || name.startsWith("request")) gaps += ms;
    else if (!name.startsWith("  ")) work += ms;
  }
  if (Object.keys(r.segmentMedians).length) {
    out.push(`| sum of the gap medians (queue pickup) | ${Math.round(gaps)} |`, `| sum of the step medians (work) | ${Math.round(work)} |`);
  }
  return out;
}
