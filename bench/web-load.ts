import os from "node:os";
import autocannon from "autocannon";
import { readCpuSeconds, readMemory, sampleRss } from "@/bench/rss";
import type { Target } from "@/bench/report";
import { checkBuild, signIn, startWebServer, type BuildInfo, type WebServer } from "@/bench/web-server";
import { waitFor } from "@/tests/helpers/processes";

/**
 * The web process under load while runs execute: the production build (`next start`, as
 * `npm run web` runs it) on 127.0.0.1 and one worker, against the bench database. Pipelines of a
 * small dataset are re-run (forced) back to back throughout, then autocannon puts N connections on
 * GET /health (the baseline: the same database, storage and queue checks the dashboard runs), the
 * dashboard with a signed-in admin's session cookie, and GET /v1/runs with API tokens, one
 * endpoint after another. Any socket error or non-2xx answer fails the part.
 */

const RUN_STREAM_PIPELINES = 3;
const RUN_STREAM_TICK_MS = 250;
const RUNS_DRAIN_TIMEOUT_MS = 120_000;
const WARMUP_REQUESTS = 10;
/** A request not answered within this counts as an error (a timeout). */
const REQUEST_TIMEOUT_S = 10;
const SETTLE_TIMEOUT_MS = 90_000;

type Auth = "none" | "session cookie" | "bearer token";

export type EndpointLoad = {
  name: string;
  path: string;
  auth: Auth;
  /** Completed requests; `sent` also counts those still in flight when the time was up. */
  requests: number;
  sent: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p97_5: number; p99: number; max: number; mean: number };
  /** Seconds until GET /health answered quickly again after the load (the server finishing what it had taken on). */
  settleSeconds: number | null;
  /** The web process's CPU time from the start of the load to settled, per request sent (settle probes included). */
  webCpuMsPerRequest: number | null;
  /** The machine's 1-minute load average when this endpoint's load ended (ours included): how shared the cores were. */
  loadAverage: number;
  /** Answers that were not 2xx, including ones autocannon could not match to a status ("no status"). */
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
};

export type WebLoadResult = {
  connections: number;
  durationSeconds: number;
  endpoints: EndpointLoad[];
  runs: { pipelines: number; requested: number; succeeded: number; failed: number; unfinished: number };
  /** VmHWM of the `next start` process over the bench, and its RSS just before the load. */
  webRss: { idle: number | null; hwm: number | null };
  webCpuSeconds: number | null;
  loadWallSeconds: number | null;
  build: BuildInfo | null;
  error: string | null;
};

export function emptyWebLoad(connections: number, durationSeconds: number, error: string | null): WebLoadResult {
  return {
    connections,
    durationSeconds,
    endpoints: [],
    runs: { pipelines: 0, requested: 0, succeeded: 0, failed: 0, unfinished: 0 },
    webRss: { idle: null, hwm: null },
    webCpuSeconds: null,
    loadWallSeconds: null,
    build: null,
    error,
  };
}

/**
 * A few requests before the clock, each of which must answer 200: a wrong cookie or token fails
 * here, not under load. Returns the fastest answer's milliseconds.
 */
async function warmUp(url: string, headers: Record<string, string>, expect: string): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers, redirect: "manual" });
    const body = await res.text();
    fastest = Math.min(fastest, performance.now() - started);
    if (res.status !== 200 || !body.includes(expect))
      throw new Error(`${url} answered ${res.status} before the load (expected 200 with "${expect}"): ${body.slice(0, 200)}`);
  }
  return fastest;
}

/**
 * autocannon stops at its deadline with requests still in flight, and the server goes on working
 * through them; waits (bounded) until GET /health answers within a few times its idle time, so
 * the next endpoint does not pay for the last one's backlog. Returns the seconds waited.
 */
async function settle(baseUrl: string, idleMs: number): Promise<number> {
  const started = Date.now();
  const quickEnough = Math.max(4 * idleMs, 50);
  await waitFor(
    async () => {
      const t = performance.now();
      const res = await fetch(`${baseUrl}/health`);
      await res.arrayBuffer();
      return performance.now() - t <= quickEnough;
    },
    SETTLE_TIMEOUT_MS,
    `GET /health to answer within ${Math.round(quickEnough)} ms again after the load`,
  );
  return (Date.now() - started) / 1000;
}

const TERMINAL = ["succeeded", "failed", "cancelled"];

/** Keeps one forced run going on each pipeline (a new one as soon as the last finished), up to `maxRuns`. */
function startRunStream(pipelineIds: string[], firstRunIds: string[], actor: { id: string }, maxRuns: number, log: (m: string) => void) {
  const runIds = [...firstRunIds];
  const current = new Map(pipelineIds.map((p, i) => [p, firstRunIds[i]!]));
  let stopped = false;
  let failure: unknown = null;
  const loop = (async () => {
    const { getSql } = await import("@/db");
    const { requestRun } = await import("@/lib/pipeline/runs");
    while (!stopped && runIds.length < maxRuns) {
      const rows = await getSql()`select id, status from relayboard.runs where id = any(${[...current.values()]}::uuid[])`;
      const finished = new Set(rows.filter((r) => TERMINAL.includes(r.status as string)).map((r) => r.id as string));
      for (const [pipelineId, runId] of current) {
        if (stopped || runIds.length >= maxRuns || !finished.has(runId)) continue;
        const run = await requestRun(pipelineId, { trigger: "api", force: true, actor });
        current.set(pipelineId, run.id);
        runIds.push(run.id);
      }
      await new Promise((r) => setTimeout(r, RUN_STREAM_TICK_MS));
    }
    if (runIds.length >= maxRuns) log(`web load: the run stream reached its cap of ${maxRuns} runs`);
  })().catch((err: unknown) => (failure = err));
  return {
    runIds,
    stop: async () => {
      stopped = true;
      await loop;
      if (failure) throw failure;
    },
  };
}

async function runCounts(runIds: string[]): Promise<{ succeeded: number; failed: number; unfinished: number }> {
  const { getSql } = await import("@/db");
  const [c] = await getSql()`
    select count(*) filter (where status = 'succeeded')::int as ok,
           count(*) filter (where status in ('failed', 'cancelled'))::int as bad,
           count(*) filter (where status not in ('succeeded', 'failed', 'cancelled'))::int as open
    from relayboard.runs where id = any(${runIds}::uuid[])`;
  return { succeeded: c!.ok as number, failed: c!.bad as number, unfinished: c!.open as number };
}

async function hammer(
  endpoint: { name: string; path: string; auth: Auth },
  baseUrl: string,
  connections: number,
  durationSeconds: number,
  headers: Record<string, string>,
  setupClient?: (client: autocannon.Client) => void,
): Promise<EndpointLoad> {
  const r = await autocannon({
    url: `${baseUrl}${endpoint.path}`,
    connections,
    duration: durationSeconds,
    headers,
    setupClient,
    timeout: REQUEST_TIMEOUT_S,
  });
  // After a timeout autocannon can complete a response it has lost the status of ("undefined"); that is no 2xx either.
  const statusCodes = Object.fromEntries(
    Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [/^\d+$/.test(code) ? code : "no status", s.count ?? 0]),
  );
  return {
    ...endpoint,
    requests: r.requests.total,
    sent: (r.requests as { sent?: number }).sent ?? r.requests.total,
    requestsPerSecond: r.requests.average,
    latencyMs: { p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    settleSeconds: null,
    webCpuMsPerRequest: null,
    loadAverage: os.loadavg()[0]!,
    non2xx: Object.entries(statusCodes).reduce((n, [code, count]) => n + (/^2\d\d$/.test(code) ? 0 : count), 0),
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
  };
}

export async function measureWebLoad(opts: {
  repoRoot: string;
  /** The environment the web process gets (database, DATA_DIR, secrets), as the worker's. */
  webEnv: NodeJS.ProcessEnv;
  connections: number;
  durationSeconds: number;
  maxRuns: number;
  csvUrl: (i: number) => string;
  workerAlive: () => boolean;
  onSpawn: (stop: () => Promise<void>) => void;
  verbose: boolean;
  log: (msg: string) => void;
}): Promise<WebLoadResult> {
  const result = emptyWebLoad(opts.connections, opts.durationSeconds, null);
  let web: WebServer | null = null;
  let stream: ReturnType<typeof startRunStream> | null = null;
  try {
    result.build = checkBuild(opts.repoRoot);
    if (result.build.staleBecause) opts.log(`web load: the build may be stale (${result.build.staleBecause}); measuring it anyway`);
    const crypto = await import("node:crypto");
    const { createUser } = await import("@/lib/auth/users");
    const { createApiToken } = await import("@/lib/api/tokens");
    const { registerUrlDataset } = await import("@/lib/ingest/register");
    const password = crypto.randomBytes(18).toString("base64url");
    const admin = await createUser({ email: "bench-web@example.com", name: "Web bench", password, role: "admin" });
    // One token per connection, as N API clients would have: the 600 requests/minute limit is per token.
    const tokens: string[] = [];
    for (let i = 0; i < opts.connections; i++) tokens.push((await createApiToken(admin, { name: `bench web ${i}`, role: "viewer" })).token);

    opts.log("web load: starting `next start` on 127.0.0.1");
    web = await startWebServer({ repoRoot: opts.repoRoot, env: opts.webEnv, verbose: opts.verbose }, opts.onSpawn);
    const cookie = await signIn(web.baseUrl, admin.email, password);
    const healthIdleMs = await warmUp(`${web.baseUrl}/health`, {}, '"status":"ok"');
    await warmUp(`${web.baseUrl}/`, { cookie }, "Dashboard");
    await warmUp(`${web.baseUrl}/v1/runs`, { authorization: `Bearer ${tokens[0]}` }, '"runs"');

    const pipelineIds: string[] = [];
    const firstRuns: string[] = [];
    for (let i = 0; i < RUN_STREAM_PIPELINES; i++) {
      const { run } = await registerUrlDataset({ name: `bench_web_${i}`, csvUrl: opts.csvUrl(i) }, admin, "api");
      pipelineIds.push(run.pipelineId);
      firstRuns.push(run.id);
    }
    stream = startRunStream(pipelineIds, firstRuns, admin, opts.maxRuns, opts.log);
    result.runs.pipelines = RUN_STREAM_PIPELINES;
    const { getSql } = await import("@/db");
    await waitFor(
      async () => {
        if (!opts.workerAlive()) throw new Error("the worker exited");
        const [row] =
          await getSql()`select count(*)::int as n from relayboard.run_steps where run_id = any(${firstRuns}::uuid[]) and started_at is not null`;
        return (row!.n as number) > 0;
      },
      60_000,
      "the first run step to start",
    );

    result.webRss.idle = readMemory(web.pid)?.rss ?? null;
    const cpuBefore = readCpuSeconds(web.pid);
    const sampler = sampleRss(web.pid, 200);
    const started = Date.now();
    const plan: [{ name: string; path: string; auth: Auth }, Record<string, string>, ((c: autocannon.Client) => void)?][] = [
      [{ name: "GET /health (baseline)", path: "/health", auth: "none" }, {}],
      [{ name: "dashboard (GET /)", path: "/", auth: "session cookie" }, { cookie }],
      [
        { name: "GET /v1/runs", path: "/v1/runs", auth: "bearer token" },
        {},
        (() => {
          let next = 0;
          return (client: autocannon.Client) => client.setHeaders({ authorization: `Bearer ${tokens[next++ % tokens.length]}` });
        })(),
      ],
    ];
    try {
      for (const [endpoint, headers, setupClient] of plan) {
        if (!opts.workerAlive()) throw new Error("the worker exited during the load");
        opts.log(
          `web load: ${endpoint.name}, ${opts.connections} connections × ${opts.durationSeconds} s (${stream.runIds.length} runs requested so far)`,
        );
        const cpu0 = readCpuSeconds(web.pid);
        const measured = await hammer(endpoint, web.baseUrl, opts.connections, opts.durationSeconds, headers, setupClient);
        result.endpoints.push(measured);
        measured.settleSeconds = await settle(web.baseUrl, healthIdleMs);
        const cpu1 = readCpuSeconds(web.pid);
        if (cpu0 !== null && cpu1 !== null && measured.sent > 0) measured.webCpuMsPerRequest = ((cpu1 - cpu0) * 1000) / measured.sent;
        opts.log(
          `web load: ${endpoint.name}: ${measured.requestsPerSecond.toFixed(0)} req/s, p50 ${measured.latencyMs.p50} ms, p99 ${measured.latencyMs.p99} ms, ` +
            `non-2xx ${measured.non2xx}, errors ${measured.errors} ${JSON.stringify(measured.statusCodes)}; settled in ${measured.settleSeconds.toFixed(1)} s; ` +
            `web CPU ${measured.webCpuMsPerRequest?.toFixed(0) ?? "n/a"} ms per request sent`,
        );
      }
    } finally {
      result.loadWallSeconds = (Date.now() - started) / 1000;
      const after = readCpuSeconds(web.pid);
      result.webCpuSeconds = cpuBefore === null || after === null ? null : after - cpuBefore;
      result.webRss.hwm = sampler.stop().hwm;
    }
    await stream.stop();
    const runIds = stream.runIds;
    stream = null;
    result.runs.requested = runIds.length;
    opts.log(`web load: waiting for the ${runIds.length} runs to finish`);
    await waitFor(
      async () => (await runCounts(runIds)).unfinished === 0 || !opts.workerAlive(),
      RUNS_DRAIN_TIMEOUT_MS,
      "the runs to finish",
    ).catch(() => {});
    Object.assign(result.runs, await runCounts(runIds));
    if (result.runs.failed || result.runs.unfinished)
      result.error = `${result.runs.failed} runs failed and ${result.runs.unfinished} did not finish`;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    if (web) result.error += `\n${web.tail().slice(-10).join("\n")}`;
    opts.log(`web load: ${result.error}`);
  } finally {
    await stream?.stop().catch(() => {});
    await web?.stop();
  }
  return result;
}

const total = (r: WebLoadResult, k: "non2xx" | "errors" | "requests") => r.endpoints.reduce((n, e) => n + e[k], 0);
const p99Of = (r: WebLoadResult, path: string) => r.endpoints.find((e) => e.path === path && e.requests > 0)?.latencyMs.p99 ?? null;
/** An endpoint under which not one request completed measured nothing: that is a failure too. */
const silent = (r: WebLoadResult) => r.endpoints.filter((e) => e.requests === 0).map((e) => e.name);

/** All three endpoints answered, with no errors and no non-2xx answers; for the bench's exit code. */
export function webLoadOk(r: WebLoadResult | null): boolean {
  return (
    r === null || (r.error === null && r.endpoints.length === 3 && silent(r).length === 0 && total(r, "non2xx") + total(r, "errors") === 0)
  );
}

export function webLoadTargets(r: WebLoadResult | null, skipped?: string): Target[] {
  const load = `${r?.connections ?? 50} connections, runs executing`;
  const clean: Target = {
    name: `web under load (${load}): socket errors + non-2xx answers`,
    limit: "0",
    measured: skipped ?? "not measured",
    holds: null,
  };
  const ratio: Target = {
    name: `dashboard p99 ÷ GET /health p99 (${load})`,
    limit: "none set (figure only)",
    measured: skipped ?? "not measured",
    holds: null,
  };
  if (!r) return [clean, ratio];
  if (r.endpoints.length) {
    const bad = total(r, "non2xx") + total(r, "errors");
    clean.measured = `${total(r, "errors")} errors, ${total(r, "non2xx")} non-2xx of ${total(r, "requests").toLocaleString("en-US")} requests`;
    clean.holds = r.endpoints.length === 3 ? bad === 0 && silent(r).length === 0 : null;
    if (bad) clean.note = "✗ see the status codes above";
    else if (silent(r).length) clean.note = `✗ no request completed: ${silent(r).join(", ")}`;
  }
  if (r.error) clean.measured = `failed: ${r.error.split("\n")[0]!.slice(0, 100)}${r.endpoints.length ? `; ${clean.measured}` : ""}`;
  if (r.error && clean.holds) {
    clean.holds = false;
    clean.note = "✗ the part failed";
  }
  const dash = p99Of(r, "/");
  const health = p99Of(r, "/health");
  if (dash !== null && health !== null) {
    ratio.measured = `${(dash / Math.max(health, 1)).toFixed(2)} × (${dash} ms ÷ ${health} ms)`;
    ratio.note = "no target";
  }
  return [clean, ratio];
}

export function webLoadLines(r: WebLoadResult): string[] {
  const mib = (b: number | null) => (b === null ? "n/a" : `${(b / 2 ** 20).toFixed(0)} MiB`);
  const out = [
    `Web process under load (\`next start\` on 127.0.0.1, 1 worker; ${r.runs.pipelines} pipelines of a 10,000-row dataset re-run back to back throughout; ` +
      `autocannon ${r.connections} connections × ${r.durationSeconds} s per endpoint, one endpoint after another, in the bench process on the same machine):`,
    "",
    "| Endpoint | Auth | Answered / sent | Req/s | p50 ms | p97.5 ms | p99 ms | max ms | non-2xx | errors | settled after | web CPU ms/request | load avg |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const e of r.endpoints) {
    const codes = Object.entries(e.statusCodes)
      .filter(([c]) => !c.startsWith("2"))
      .map(([c, n]) => `${n}×${c}`)
      .join(", ");
    out.push(
      `| ${e.name} | ${e.auth} | ${e.requests.toLocaleString("en-US")} / ${e.sent.toLocaleString("en-US")} | ${e.requestsPerSecond.toFixed(0)} | ${e.latencyMs.p50} | ${e.latencyMs.p97_5} | ` +
        `${e.latencyMs.p99} | ${e.latencyMs.max} | ${e.non2xx ? `**${e.non2xx}** (${codes})` : 0} | ${e.errors ? `**${e.errors}** (${e.timeouts} timeouts)` : 0} | ` +
        `${e.settleSeconds === null ? "n/a" : `${e.settleSeconds.toFixed(1)} s`} | ${e.webCpuMsPerRequest === null ? "n/a" : e.webCpuMsPerRequest.toFixed(0)} | ${e.loadAverage.toFixed(1)} |`,
    );
  }
  const dash = p99Of(r, "/");
  const api = p99Of(r, "/v1/runs");
  const health = p99Of(r, "/health");
  if (health !== null && (dash !== null || api !== null)) {
    out.push(
      "",
      `p99 ratios to GET /health: dashboard ${dash === null ? "n/a" : `${(dash / Math.max(health, 1)).toFixed(2)} ×`}, GET /v1/runs ${api === null ? "n/a" : `${(api / Math.max(health, 1)).toFixed(2)} ×`}`,
    );
  }
  out.push(
    `Runs during the load: ${r.runs.requested} requested, ${r.runs.succeeded} succeeded, ${r.runs.failed} failed, ${r.runs.unfinished} unfinished. ` +
      `Web process: RSS ${mib(r.webRss.idle)} before the load, peak ${mib(r.webRss.hwm)} (VmHWM); ` +
      (r.webCpuSeconds !== null && r.loadWallSeconds
        ? `CPU ${r.webCpuSeconds.toFixed(1)} s over ${r.loadWallSeconds.toFixed(0)} s (${((100 * r.webCpuSeconds) / r.loadWallSeconds).toFixed(0)} % of one core)`
        : "CPU n/a"),
  );
  if (r.build)
    out.push(`Build ${r.build.id} from ${r.build.builtAt}${r.build.staleBecause ? ` — **may be stale**: ${r.build.staleBecause}` : ""}`);
  if (r.error) out.push(`Web load: **failed**: ${r.error}`);
  return out;
}
