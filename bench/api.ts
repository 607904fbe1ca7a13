import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { CANONICAL, type GeneratedCsv } from "@/bench/generate-csv";
import { interleavedLines, interleavedTargets, measureInterleaved, type DialectResult, type DialectVariant } from "@/bench/dialects";
import type { BaselineResult } from "@/bench/psql-baseline";
import type { IngestResult, WorkerHandle } from "@/bench/ingest-job";
import { readCpuSeconds, readMemory, sampleRss } from "@/bench/rss";
import type { Target } from "@/bench/report";
import { checkBuild, signIn, type BuildInfo } from "@/bench/web-server";
import { waitFor } from "@/tests/helpers/processes";

/**
 * The user's path, through the HTTP API of a running deployment: `npm run web` (the launcher,
 * serving the production build on 127.0.0.1) and `npm run worker`, as child processes against the
 * bench database, both started once for the whole part. Per round, interleaved with psql → pre-typed:
 * `POST /v1/datasets/csv` with a JSON body naming a URL on the bench's file server, and the same
 * file as a multipart upload from a client process of its own (bench/upload-client.mjs, as curl
 * would); then `GET /v1/runs/{latestRunId}` every POLL_MS until the run is terminal. The total is
 * the request's start to the poll that saw `succeeded`, on this machine's clock: what a user's
 * script measures. Meanwhile a sampler times GET /health and the dashboard (signed-in session
 * cookie), one request at a time, idle before the loads and during every load.
 */

export const API_VARIANTS: readonly DialectVariant[] = [
  { key: "url", label: "`POST /v1/datasets/csv` JSON `{name, csvUrl}`", dialect: CANONICAL, via: "url" },
  { key: "upload", label: "`POST /v1/datasets/csv` multipart upload (client process)", dialect: CANONICAL, via: "upload" },
];

const READY_TIMEOUT_MS = 180_000;
const POLL_MS = 150;
const TAIL_LINES = 40;
/** The sampler's tick: GET /health every tick, the dashboard every DASHBOARD_EVERY-th. */
const SAMPLE_TICK_MS = 250;
const DASHBOARD_EVERY = 4;
const IDLE_SAMPLE_MS = 30_000;
const QUICK_IDLE_SAMPLE_MS = 10_000;
/** Under load, responsiveness may be this many times worse than idle (p99), issue 15. */
export const RESPONSIVENESS_LIMIT = 5;

export type LatencyStats = { count: number; p50: number | null; p99: number | null; max: number | null };
export type Responsiveness = {
  health: { idle: LatencyStats; load: LatencyStats };
  dashboard: { idle: LatencyStats; load: LatencyStats };
  /** Answers other than 200 (or failed requests) among the samples. */
  failures: number;
};

export type ApiResult = {
  interleaved: DialectResult | null;
  responsiveness: Responsiveness | null;
  webCommand: string;
  workerCommand: string;
  build: BuildInfo | null;
  error: string | null;
};

function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(values: number[]): LatencyStats {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : null,
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** package.json's script `name` as argv, with `node` as this Node binary (npm's own wrapper left out, so signals reach it). */
export function npmScript(repoRoot: string, name: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const words = (pkg.scripts[name] ?? "").split(/\s+/).filter(Boolean);
  if (words[0] !== "node") throw new Error(`package.json's "${name}" script is not a plain node command: ${pkg.scripts[name]}`);
  return words.slice(1);
}

type WebLauncher = { pid: number; baseUrl: string; tail: () => string[]; stop: () => Promise<void> };

/** `npm run web`'s command (scripts/launch.ts web) on 127.0.0.1 and a free port; ready when GET /health answers 200. */
async function startWeb(
  opts: { repoRoot: string; env: NodeJS.ProcessEnv; verbose: boolean },
  onSpawn: (stop: () => Promise<void>) => void,
): Promise<WebLauncher> {
  const port = await freePort();
  // Its own process group: the launcher starts the web server as a child of its own.
  const child = spawn(process.execPath, npmScript(opts.repoRoot, "web"), {
    cwd: opts.repoRoot,
    env: { ...opts.env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (child.pid === undefined) throw new Error("could not start `npm run web`");
  const pid = child.pid;
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      if (opts.verbose) process.stderr.write(`[web] ${line}\n`);
    });
  }
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM"); // the launcher stops its web server and exits
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 40_000);
    await exited;
    clearTimeout(timer);
  };
  onSpawn(stop);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`npm run web exited with ${child.exitCode}`);
        return fetch(`${baseUrl}/health`).then(
          (r) => r.ok,
          () => false,
        );
      },
      READY_TIMEOUT_MS,
      "the web server's /health",
    );
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}:\n${lines.join("\n")}`);
  }
  return { pid, baseUrl, tail: () => [...lines], stop };
}

/** Times GET /health (every tick) and the dashboard (every DASHBOARD_EVERY-th tick), one request at a time, while `phase` is not "off". */
function startSampler(baseUrl: string, cookie: string) {
  const samples = { health: { idle: [] as number[], load: [] as number[] }, dashboard: { idle: [] as number[], load: [] as number[] } };
  type Phase = "off" | "idle" | "load";
  let phase = "off" as Phase;
  let stopped = false;
  let failures = 0;
  let tick = 0;
  const time = async (url: string, headers: Record<string, string>): Promise<number | null> => {
    const started = performance.now();
    try {
      const res = await fetch(url, { headers, redirect: "manual" });
      await res.arrayBuffer();
      if (res.status !== 200) failures++;
      return res.status === 200 ? performance.now() - started : null;
    } catch {
      failures++;
      return null;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      const at: Phase = phase;
      const started = performance.now();
      if (at !== "off") {
        const h = await time(`${baseUrl}/health`, {});
        // A sample counts for the phase it started and ended in (a load that ended meanwhile does not).
        if (h !== null && phase === at) samples.health[at].push(h);
        if (tick++ % DASHBOARD_EVERY === 0) {
          const d = await time(`${baseUrl}/`, { cookie });
          if (d !== null && phase === at) samples.dashboard[at].push(d);
        }
      }
      await new Promise((r) => setTimeout(r, Math.max(10, SAMPLE_TICK_MS - (performance.now() - started))));
    }
  })();
  return {
    set: (p: Phase) => (phase = p),
    stop: async (): Promise<Responsiveness> => {
      stopped = true;
      await loop;
      return {
        health: { idle: stats(samples.health.idle), load: stats(samples.health.load) },
        dashboard: { idle: stats(samples.dashboard.idle), load: stats(samples.dashboard.load) },
        failures,
      };
    },
  };
}

async function api<T>(baseUrl: string, token: string, pathname: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: body as T };
}

/** bench/upload-client.mjs in a process of its own, against the web server: `<status>\n<body>`. */
async function uploadViaClient(port: number, token: string, name: string, filePath: string): Promise<{ status: number; body: string }> {
  const client = spawn(process.execPath, [path.join(__dirname, "upload-client.mjs"), String(port), name, filePath], {
    env: { ...process.env, BENCH_UPLOAD_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  client.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  client.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const [code] = (await once(client, "close")) as [number | null];
  if (code !== 0) throw new Error(`the upload client failed (${code}): ${err.slice(0, 500)}`);
  const newline = out.indexOf("\n");
  return { status: Number(out.slice(0, newline)), body: out.slice(newline + 1) };
}

type RunView = {
  id: string;
  status: string;
  finishedAt: string | null;
  steps: { name: string; status: string; startedAt: string | null; finishedAt: string | null; rows?: number; error?: string }[];
  error?: { message: string };
};
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export async function measureApi(opts: {
  repoRoot: string;
  /** DATABASE_URL, DATA_DIR, OUTBOUND_ALLOW_HOSTS and the secrets a production process must be given. */
  env: NodeJS.ProcessEnv;
  rounds: number;
  quick: boolean;
  file: GeneratedCsv;
  /** Serves a file on the bench's file server; answers its URL. */
  host: (urlPath: string, filePath: string) => string;
  startWorker: () => Promise<WorkerHandle>;
  psqlTyped: () => Promise<BaselineResult>;
  /** Drops a finished load's tables (only the timings are kept). */
  dropTables: (name: string) => Promise<void>;
  checkpoint: () => Promise<void>;
  createToken: () => Promise<{ token: string; email: string; password: string }>;
  timeoutMs: number;
  interrupted: () => boolean;
  onSpawn: (name: string, stop: () => Promise<void>) => void;
  verbose: boolean;
  log: (msg: string) => void;
}): Promise<ApiResult> {
  const result: ApiResult = {
    interleaved: null,
    responsiveness: null,
    webCommand: `npm run web (node ${npmScript(opts.repoRoot, "web").join(" ")})`,
    workerCommand: `npm run worker (node ${npmScript(opts.repoRoot, "worker").join(" ")})`,
    build: null,
    error: null,
  };
  let web: WebLauncher | null = null;
  let worker: WorkerHandle | null = null;
  let sampler: ReturnType<typeof startSampler> | null = null;
  try {
    result.build = checkBuild(opts.repoRoot);
    if (result.build.staleBecause) opts.log(`api: the build may be stale (${result.build.staleBecause}); measuring it anyway`);
    const { token, email, password } = await opts.createToken();
    opts.log("api: starting `npm run web` and `npm run worker`");
    web = await startWeb({ repoRoot: opts.repoRoot, env: opts.env, verbose: opts.verbose }, (stop) => opts.onSpawn("npm run web", stop));
    worker = await opts.startWorker();
    const baseUrl = web.baseUrl;
    const port = Number(new URL(baseUrl).port);
    const cookie = await signIn(baseUrl, email, password);
    // First requests compile and warm the routes; not sampled.
    for (const p of ["/health", "/"]) await fetch(`${baseUrl}${p}`, { headers: { cookie } }).then((r) => r.arrayBuffer());
    const me = await api<unknown>(baseUrl, token, "/v1/datasets");
    if (me.status !== 200)
      throw new Error(`GET /v1/datasets with the bench's token answered ${me.status}: ${JSON.stringify(me.body).slice(0, 300)}`);
    // Next loads a route's code on its first request: the routes the loads use answer once first
    // (a 400 and two 404s, nothing created), as in a deployment that has been serving for a while.
    await api(baseUrl, token, "/v1/datasets/csv", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    await api(baseUrl, token, "/v1/runs/00000000-0000-4000-8000-000000000000");
    await api(baseUrl, token, "/v1/datasets/bench_api_warm_up");

    sampler = startSampler(baseUrl, cookie);
    const idleMs = opts.quick ? QUICK_IDLE_SAMPLE_MS : IDLE_SAMPLE_MS;
    opts.log(`api: sampling GET /health and the dashboard for ${idleMs / 1000} s idle (web + worker running, no load)`);
    sampler.set("idle");
    await new Promise((r) => setTimeout(r, idleMs));
    sampler.set("off");

    const w = worker;
    const s = sampler;
    const files = new Map(API_VARIANTS.map((v) => [v.key, opts.file]));
    result.interleaved = await measureInterleaved({
      part: "api",
      variants: API_VARIANTS,
      rounds: opts.rounds,
      files,
      psqlTyped: opts.psqlTyped,
      interrupted: opts.interrupted,
      log: opts.log,
      ingest: async (variant, file, name) => {
        await opts.checkpoint();
        if (!w.alive()) throw new Error(`the worker exited:\n${w.tail().join("\n")}`);
        const idleRss = readMemory(w.pid)?.rss ?? null;
        const cpuBefore = readCpuSeconds(w.pid);
        const rss = sampleRss(w.pid, 100);
        const failed = (error: string, totalSeconds: number): IngestResult => {
          s.set("off");
          return {
            dataset: name,
            status: "failed",
            error,
            timings: {},
            rowsLoaded: 0,
            totalSeconds,
            beforeStartSeconds: null,
            inferredTypes: {},
            idleRss,
            rss: rss.stop(),
            peakPhase: null,
            workerCpuSeconds: null,
          };
        };
        s.set("load");
        const started = Date.now();
        let runId: string;
        try {
          let answer: { status: number; body: unknown };
          if (variant.via === "upload") {
            const up = await uploadViaClient(port, token, name, file.path);
            answer = { status: up.status, body: JSON.parse(up.body || "null") as unknown };
          } else {
            answer = await api(baseUrl, token, "/v1/datasets/csv", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ name, csvUrl: opts.host(`/${name}.csv`, file.path) }),
            });
          }
          const dataset = (answer.body as { dataset?: { latestRunId?: string } } | null)?.dataset;
          if (answer.status !== 201 || !dataset?.latestRunId)
            return failed(
              `POST /v1/datasets/csv answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
              (Date.now() - started) / 1000,
            );
          runId = dataset.latestRunId;
        } catch (err) {
          s.set("off");
          return failed(err instanceof Error ? err.message : String(err), (Date.now() - started) / 1000);
        }
        let run: RunView | null = null;
        let lastLog = started;
        for (;;) {
          await new Promise((r) => setTimeout(r, POLL_MS));
          const res = await api<{ run: RunView }>(baseUrl, token, `/v1/runs/${runId}`);
          const now = Date.now();
          if (res.status === 200 && TERMINAL.has(res.body.run.status)) {
            run = res.body.run;
            break;
          }
          if (res.status !== 200 && res.status !== 429) {
            s.set("off");
            return failed(
              `GET /v1/runs/${runId} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`,
              (now - started) / 1000,
            );
          }
          if (!w.alive() || now - started > opts.timeoutMs) {
            s.set("off");
            const why = w.alive() ? `timed out after ${Math.round(opts.timeoutMs / 1000)} s` : "worker exited";
            return failed(`${why}\n${w.tail().join("\n")}`, (now - started) / 1000);
          }
          if (now - lastLog >= 5_000) {
            lastLog = now;
            opts.log(`${name}: ${((now - started) / 1000).toFixed(0)} s, run ${res.status === 200 ? res.body.run.status : res.status}`);
          }
        }
        const observed = Date.now();
        s.set("off");
        const summary = rss.stop();
        const cpuAfter = readCpuSeconds(w.pid);
        // Not timed: what the API says about the dataset, and the load's phase timings from the database.
        const view = await api<{ dataset: { columns: { name: string; type: string }[]; rowCount: number | null } }>(
          baseUrl,
          token,
          `/v1/datasets/${name}`,
        );
        const { getSql } = await import("@/db");
        const [load] = (await getSql()`
          select l.timings from relayboard.runs r join relayboard.dataset_loads l on l.id = r.load_id where r.id = ${runId}`) as unknown as [
          { timings: Record<string, number> } | undefined,
        ];
        const loadStep = run.steps.find((st) => st.name === "load");
        // Each step's start and end, in ms from the request (for the log and last-run.json).
        const stepTimes: Record<string, number> = {};
        for (const st of run.steps) {
          if (st.startedAt) stepTimes[`step_${st.name}_start_ms`] = new Date(st.startedAt).getTime() - started;
          if (st.finishedAt) stepTimes[`step_${st.name}_end_ms`] = new Date(st.finishedAt).getTime() - started;
        }
        opts.log(`${name}: ${run.status}; steps ${JSON.stringify(stepTimes)}; load ${JSON.stringify(load?.timings ?? {})}`);
        const stepError = run.steps.find((st) => st.error)?.error;
        await opts.dropTables(name);
        return {
          dataset: name,
          status: run.status,
          error: run.status === "succeeded" ? null : (run.error?.message ?? stepError ?? "run did not succeed"),
          timings: {
            ...(load?.timings ?? {}),
            ...stepTimes,
            run_finished_ms: run.finishedAt ? new Date(run.finishedAt).getTime() - started : -1,
          },
          rowsLoaded: loadStep?.rows ?? view.body.dataset?.rowCount ?? 0,
          totalSeconds: (observed - started) / 1000,
          // The request to the run's first step (the fetch for a URL, the load for an upload).
          beforeStartSeconds: firstStepStartSeconds(stepTimes),
          inferredTypes: Object.fromEntries((view.body.dataset?.columns ?? []).map((c) => [c.name, c.type])),
          idleRss,
          rss: summary,
          peakPhase: null,
          workerCpuSeconds: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
        };
      },
    });
    if (result.interleaved.error) result.error = result.interleaved.error;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    if (web) result.error += `\n${web.tail().slice(-10).join("\n")}`;
    opts.log(`api: ${result.error}`);
  } finally {
    if (sampler) result.responsiveness = await sampler.stop();
    await worker?.stop();
    await web?.stop();
  }
  return result;
}

/** The load succeeded in every run of every variant and the part completed. */
export function apiOk(r: ApiResult | null): boolean {
  return (
    r === null ||
    (r.error === null &&
      !!r.interleaved &&
      r.interleaved.rows.every((row) => row.runs.length > 0 && row.runs.every((x) => x.status === "succeeded")) &&
      (r.responsiveness?.failures ?? 0) === 0)
  );
}

export function apiTargets(r: ApiResult | null, skipped?: string): Target[] {
  const targets = interleavedTargets(
    r?.interleaved ?? null,
    API_VARIANTS,
    "API",
    skipped ?? (r?.error && !r.interleaved ? "part failed" : undefined),
  );
  for (const key of ["dashboard", "health"] as const) {
    const name = `${key === "dashboard" ? "dashboard (GET /)" : "GET /health"} p99 during API loads ÷ idle p99`;
    const limit = `≤ ${RESPONSIVENESS_LIMIT} ×`;
    const s = r?.responsiveness?.[key];
    if (!s || s.idle.p99 === null || s.load.p99 === null) {
      targets.push({ name, limit, measured: skipped ?? "not measured", holds: null });
      continue;
    }
    const ratio = s.load.p99 / Math.max(s.idle.p99, 1);
    targets.push({
      name,
      limit,
      measured: `${ratio.toFixed(2)} × (${s.load.p99.toFixed(0)} ms ÷ ${s.idle.p99.toFixed(0)} ms; ${s.load.count} / ${s.idle.count} samples)`,
      holds: ratio <= RESPONSIVENESS_LIMIT,
      note:
        ratio <= RESPONSIVENESS_LIMIT
          ? undefined
          : `missed by ${(((ratio - RESPONSIVENESS_LIMIT) / RESPONSIVENESS_LIMIT) * 100).toFixed(0)} %`,
    });
  }
  return targets;
}

export function apiLines(r: ApiResult, fmt: (n: number) => string): string[] {
  const out: string[] = [];
  if (r.interleaved) {
    const server = r.interleaved.rows
      .map((row) => {
        const ms = row.runs
          .filter((x) => x.status === "succeeded" && (x.timings.run_finished_ms ?? -1) >= 0)
          .map((x) => fmt(x.timings.run_finished_ms! / 1000));
        return ms.length ? `${row.key} ${ms.join(" / ")} s` : null;
      })
      .filter(Boolean)
      .join("; ");
    out.push(
      ...interleavedLines(
        r.interleaved,
        fmt,
        `Through the HTTP API of a running ${r.webCommand} + ${r.workerCommand} (one of each for the whole part, production build), the canonical file; ${r.interleaved.rounds} interleaved rounds with psql → pre-typed; every run in order, then median, best and spread; targets on the medians:`,
        [
          `Each total is from the start of the request to the GET /v1/runs/{latestRunId} poll (every ${POLL_MS} ms, Bearer token) that answered \`succeeded\`, on the bench's clock: the whole pipeline run (load, typing, the remaining steps), as a user's script sees it. The upload is bench/upload-client.mjs in a process of its own (as curl), streaming the file into the web server's POST /v1/datasets/csv; its total includes the upload.`,
          server ? `The same runs by the run's own finishedAt (request → finishedAt, no polling delay): ${server}.` : "",
        ].filter(Boolean),
      ),
    );
  }
  const s = r.responsiveness;
  if (s) {
    const cell = (x: LatencyStats) =>
      x.count ? `${x.count} | ${x.p50!.toFixed(0)} | ${x.p99!.toFixed(0)} | ${x.max!.toFixed(0)}` : "0 | | |";
    const ratio = (k: "health" | "dashboard") =>
      s[k].idle.p99 !== null && s[k].load.p99 !== null ? `${(s[k].load.p99! / Math.max(s[k].idle.p99!, 1)).toFixed(2)} ×` : "n/a";
    out.push(
      "",
      `Web process responsiveness: one request at a time from the bench, GET /health every ${SAMPLE_TICK_MS} ms and the dashboard (GET /, signed-in session cookie) every ${SAMPLE_TICK_MS * DASHBOARD_EVERY} ms; idle = web and worker running, no load, before the rounds; under load = while an API load above was in flight (request → succeeded).`,
      "",
      "| Endpoint | Phase | Samples | p50 ms | p99 ms | max ms | p99 ÷ idle p99 |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
      `| GET /health | idle | ${cell(s.health.idle)} | |`,
      `| GET /health | during loads | ${cell(s.health.load)} | ${ratio("health")} |`,
      `| dashboard (GET /) | idle | ${cell(s.dashboard.idle)} | |`,
      `| dashboard (GET /) | during loads | ${cell(s.dashboard.load)} | ${ratio("dashboard")} |`,
    );
    if (s.failures) out.push(`**${s.failures} sampled requests failed or answered other than 200.**`);
  }
  if (r.build)
    out.push(`Build ${r.build.id} from ${r.build.builtAt}${r.build.staleBecause ? ` — **may be stale**: ${r.build.staleBecause}` : ""}`);
  if (r.error) out.push(`API part: **failed**: ${r.error}`);
  return out;
}

/** When the earliest step of a run started, in seconds from the request; null if none started. */
function firstStepStartSeconds(stepTimes: Record<string, number>): number | null {
  const starts = Object.entries(stepTimes)
    .filter(([key]) => key.endsWith("_start_ms"))
    .map(([, ms]) => ms);
  return starts.length ? Math.min(...starts) / 1000 : null;
}
