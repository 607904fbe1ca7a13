import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureCsv, type GeneratedCsv } from "@/bench/generate-csv";
import {
  DIALECT_ROUNDS,
  selectVariants,
  measureDialects,
  prepareVariantFiles,
  QUICK_DIALECT_ROUNDS,
  variantUrlPath,
  type DialectResult,
} from "@/bench/dialects";
import { apiOk, measureApi, type ApiResult } from "@/bench/api";
import { checkBuild } from "@/bench/web-server";
import { startUploadRoute } from "@/bench/upload-route";
import { startFileServer } from "@/bench/file-server";
import { psqlVersion, runPsqlBaseline, type BaselineResult } from "@/bench/psql-baseline";
import { closeAppClients, runIngest, startWorker, type IngestResult, type WorkerEnv } from "@/bench/ingest-job";
import { measureTypedModel, type TypedModelResult } from "@/bench/typed-model";
import { failedLatency, measureRunLatency } from "@/bench/run-latency";
import { failedThroughput, measureThroughput } from "@/bench/throughput";
import { emptyWebLoad, measureWebLoad, webLoadOk } from "@/bench/web-load";
import { computeTargets, renderReport, stagingSeconds, writeReportJson, type BenchReport, type FileInfo } from "@/bench/report";
import { createFreshDatabase } from "@/tests/helpers/test-database";
import { ensureEmbeddedPostgres } from "@/db/embedded";
import { migrateDatabase } from "@/lib/database/migrate";
import { ensureQueues } from "@/lib/queue/ensure-queues";
import { getEnv, resetEnvForTests } from "@/lib/env";
import { startSlackSink } from "@/lib/slack/sink";
import { nativeScanRecords } from "@/lib/csv/native-scan";

/**
 * `npm run bench [-- --quick] [-- --skip-1g] [-- --only=web|ingest|dialects|api|sniff|digest|1g|runs] [-- --rounds=N] [-- --variants=canonical,gzip] [-- --timeout-min=15] [-- --verbose] [-- --cpu-prof]`
 * Loads a generated CSV through Relayboard's real job path and compares it with psql \copy of the
 * same file on the same database, in the same run; then the typed-model build against a
 * hand-written CTAS, end-to-end run latency to a Slack stand-in, and the throughput of many small
 * pipelines on two workers, and the web process under load (needs `npm run build` first) while runs
 * execute. Prints figures; never fails on timings, but does on web errors or non-2xx answers.
 * The main file's variants (canonical by URL, `;`, CRLF, Latin-1, UTF-16LE with BOM, gzip, and an
 * upload through the route) load in interleaved rounds with psql → pre-typed (bench/dialects.ts),
 * every run printed, targets on the medians; `--only=ingest` runs the baselines, the main ingest
 * and that table, `--only=dialects` the table alone, `--rounds=N` sets its rounds (default 5, 2
 * with `--quick`). `--only=api` measures through the HTTP API of a running `npm run web` +
 * `npm run worker` (needs `npm run build` first; bench/api.ts): a URL registration and an upload per
 * round, interleaved with psql, and the web process' responsiveness during those loads; a full run
 * runs that part too, after the variant table.
 * `--only=sniff` instead loads the real-world corpus (tests/fixtures/wild) with Relayboard and with
 * DuckDB's read_csv (bench/sniff.ts); it fails if Relayboard is not right on more files than DuckDB.
 * `--only=digest` runs the "what changed" diff of 100,000 keyed rows against a CREATE TABLE AS copy
 * of the same result (bench/digest.ts), rounds interleaved; a full run ends with it too.
 * `--only=1g` runs the 1 GiB ingest alone (6.5M rows through a fresh worker: timings, worker RSS
 * and CPU, the RSS target), without the psql baselines, the main ingest or any other part.
 * `--only=runs` runs the run latency and throughput parts alone (e.g. to compare two versions).
 * `--variants=a,b` keeps only those rows of the variant table.
 */

const REPO_ROOT = path.resolve(__dirname, "..");
const CACHE_DIR = path.join(REPO_ROOT, "bench", ".cache");
const MAIN_ROWS = 1_000_000;
const QUICK_ROWS = 100_000;
// About 1 GiB with this generator (~165 bytes a row).
const BIG_ROWS = 6_500_000;
const LATENCY_ROWS = 10_000;
const THROUGHPUT_ROWS = 20;
const LATENCY_RUN_TIMEOUT_MS = 60_000;
const WEB_CONNECTIONS = 50;
const WEB_SECONDS = 20;
const QUICK_WEB_SECONDS = 5;
const WEB_MAX_RUNS = 300;

type Flags = {
  quick: boolean;
  skipBig: boolean;
  webOnly: boolean;
  ingestOnly: boolean;
  sniffOnly: boolean;
  dialectsOnly: boolean;
  apiOnly: boolean;
  /** `--only=1g`: the 1 GiB ingest alone. */
  bigOnly: boolean;
  /** `--only=digest`: the "what changed" diff alone. */
  digestOnly: boolean;
  /** `--only=runs`: run latency and throughput alone (no ingest, no web load). */
  runsOnly: boolean;
  /** Interleaved rounds of the dialect part (psql-typed and each variant once per round). */
  rounds: number | null;
  /** `--variants=a,b`: only those rows of the dialect part. */
  variants: string[] | null;
  cpuProfile: boolean;
  timeoutMs: number;
  verbose: boolean;
};

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    quick: false,
    skipBig: false,
    webOnly: false,
    ingestOnly: false,
    sniffOnly: false,
    dialectsOnly: false,
    apiOnly: false,
    bigOnly: false,
    digestOnly: false,
    runsOnly: false,
    rounds: null,
    variants: null,
    cpuProfile: false,
    timeoutMs: 15 * 60_000,
    verbose: false,
  };
  for (const arg of argv) {
    if (arg === "--quick") flags.quick = true;
    else if (arg === "--skip-1g") flags.skipBig = true;
    else if (arg === "--only=web") flags.webOnly = true;
    else if (arg === "--only=ingest") flags.ingestOnly = true;
    else if (arg === "--only=sniff") flags.sniffOnly = true;
    else if (arg === "--only=dialects") flags.dialectsOnly = true;
    else if (arg === "--only=api") flags.apiOnly = true;
    else if (arg === "--only=1g") flags.bigOnly = true;
    else if (arg === "--only=digest") flags.digestOnly = true;
    else if (arg === "--only=runs") flags.runsOnly = true;
    else if (arg.startsWith("--rounds=")) flags.rounds = Math.max(1, Math.floor(Number(arg.split("=")[1])) || DIALECT_ROUNDS);
    else if (arg.startsWith("--variants=")) flags.variants = arg.slice("--variants=".length).split(",").filter(Boolean);
    else if (arg === "--verbose") flags.verbose = true;
    else if (arg === "--cpu-prof") flags.cpuProfile = true;
    else if (arg.startsWith("--timeout-min=")) flags.timeoutMs = Math.max(1, Number(arg.split("=")[1]) || 15) * 60_000;
    else
      throw new Error(
        `unknown flag ${arg}; known: --quick, --skip-1g, --only=web, --only=ingest, --only=sniff, --only=dialects, --only=api, --only=digest, --only=1g, --only=runs, --rounds=N, --variants=a,b, --timeout-min=N, --verbose, --cpu-prof`,
      );
  }
  if (onlyModes(flags).filter(Boolean).length > 1) throw new Error("give one --only=");
  if (flags.bigOnly && (flags.quick || flags.skipBig)) throw new Error("--only=1g runs the 1 GiB file: not with --quick or --skip-1g");
  if (
    flags.quick ||
    flags.webOnly ||
    flags.ingestOnly ||
    flags.sniffOnly ||
    flags.dialectsOnly ||
    flags.apiOnly ||
    flags.digestOnly ||
    flags.runsOnly
  )
    flags.skipBig = true;
  return flags;
}

/** Each `--only=` mode's flag. */
function onlyModes(flags: Flags): boolean[] {
  return [
    flags.webOnly,
    flags.ingestOnly,
    flags.sniffOnly,
    flags.dialectsOnly,
    flags.apiOnly,
    flags.bigOnly,
    flags.digestOnly,
    flags.runsOnly,
  ];
}

/** No `--only=`: every part runs. */
function isFullRun(flags: Flags): boolean {
  return !onlyModes(flags).some(Boolean);
}

const startedAt = Date.now();
/** Runs of each psql baseline and of Relayboard's main ingest; each side's best counts. */
const BEST_OF = 3;

/** The succeeded run with the shortest total, else the first (failed) one. */
function bestIngest(runs: IngestResult[]): IngestResult | null {
  const ok = runs.filter((r) => r.status === "succeeded").sort((a, b) => a.totalSeconds - b.totalSeconds);
  return ok[0] ?? runs[0] ?? null;
}
let interrupted = false;
const loadAverageAtStart = os.loadavg()[0];
function log(msg: string): void {
  process.stderr.write(`[bench +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${msg}\n`);
}

/** Undo steps, run last-in first-out; each runs once even if cleanup is triggered twice. */
const cleanups: { name: string; fn: () => Promise<void> }[] = [];
async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const step = cleanups.pop()!;
    await step.fn().catch((err: unknown) => log(`cleanup "${step.name}" failed: ${String(err)}`));
  }
}

function fileInfo(csv: GeneratedCsv): FileInfo {
  return { rows: csv.rows, bytes: csv.bytes, path: path.relative(REPO_ROOT, csv.path) };
}

async function prepareCsv(rows: number): Promise<GeneratedCsv> {
  log(`CSV with ${rows.toLocaleString("en-US")} rows: looking in bench/.cache/`);
  const csv = await ensureCsv(CACHE_DIR, rows);
  log(`${csv.generatedNow ? `generated in ${csv.seconds.toFixed(1)} s` : "cached"}: ${(csv.bytes / 1e6).toFixed(1)} MB`);
  return csv;
}

/** Starts a fresh worker, runs one ingest through it, and stops it again. */
async function ingestWithFreshWorker(
  workerEnv: WorkerEnv,
  name: string,
  csvUrl: string,
  actor: { id: string },
  flags: Flags,
  register?: () => Promise<{ datasetId: string; loadId: string }>,
): Promise<IngestResult> {
  const { getSql } = await import("@/db");
  // Same starting point as each psql run: no dirty buffers left over from earlier steps.
  await getSql()
    .unsafe("checkpoint")
    .catch(() => {});
  if (interrupted) throw new Error("interrupted");
  log(`${name}: starting a worker`);
  const worker = await startWorker(workerEnv, (stop) => cleanups.push({ name: `${name} worker`, fn: stop }));
  log(`${name}: worker ${worker.pid} ready; registering the dataset`);
  const result = await runIngest({ name, csvUrl, register, actor, worker, timeoutMs: flags.timeoutMs, log });
  log(`${name}: ${result.status} in ${result.totalSeconds.toFixed(1)} s ${JSON.stringify(result.timings)}`);
  if (result.error) log(`${name}: ${result.error}`);
  // The load is one step of a pipeline run; let its remaining steps finish on this worker, so
  // they do not spill over into the next part's workers and timings.
  if (result.status === "succeeded") await waitForIdleRuns(name, 120_000);
  await worker.stop();
  return result;
}

async function main(): Promise<boolean> {
  const flags = parseFlags(process.argv.slice(2));
  process.chdir(REPO_ROOT);
  const serverUrl = process.env.DATABASE_URL?.trim() || null;
  const notes: string[] = [];
  if (flags.apiOnly) {
    // Before anything is generated or started: the part serves the production build as `npm run web` does.
    try {
      checkBuild(REPO_ROOT);
    } catch (err) {
      log(err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  const mainCsv =
    flags.webOnly || flags.sniffOnly || flags.bigOnly || flags.digestOnly || flags.runsOnly
      ? null
      : await prepareCsv(flags.quick ? QUICK_ROWS : MAIN_ROWS);
  // The variants: the same rows as the main file, one cached file per variant.
  const variants = selectVariants(flags.variants);
  const dialectFiles =
    mainCsv && !flags.apiOnly ? await prepareVariantFiles(CACHE_DIR, mainCsv, variants, log) : new Map<string, GeneratedCsv>();

  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rb-bench-"));
  cleanups.push({ name: "temp dir", fn: async () => fs.rmSync(tmpRoot, { recursive: true, force: true }) });
  const dataDir = path.join(tmpRoot, "data");
  fs.mkdirSync(dataDir);

  let dbUrl: string;
  if (serverUrl) {
    const fresh = await createFreshDatabase(serverUrl, "rb_bench");
    cleanups.push({ name: "drop bench database", fn: fresh.drop });
    dbUrl = fresh.url;
    log(`fresh database ${new URL(dbUrl).pathname.slice(1)} on the DATABASE_URL server`);
  } else {
    // Its own temp dir: Postgres (run as "postgres" when we are root) must be able to reach it.
    const pgRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rb-bench-pg-"));
    cleanups.push({ name: "embedded pg dir", fn: async () => fs.rmSync(pgRoot, { recursive: true, force: true }) });
    log("DATABASE_URL unset: starting an embedded Postgres");
    const embedded = await ensureEmbeddedPostgres(pgRoot, { log: { info: () => {}, warn: (o) => log(JSON.stringify(o)) } });
    cleanups.push({ name: "stop embedded postgres", fn: embedded.stop });
    dbUrl = embedded.url;
  }

  const server = await startFileServer();
  cleanups.push({ name: "file server", fn: server.close });
  const sink = await startSlackSink({ host: "127.0.0.1" });
  cleanups.push({ name: "slack stand-in", fn: sink.close });
  const allowHosts = `127.0.0.1:${server.port},127.0.0.1:${sink.port}`;

  // The app modules read configuration through lib/env, once: point it at the bench setup first.
  process.env.DATABASE_URL = dbUrl;
  process.env.DATA_DIR = dataDir;
  process.env.OUTBOUND_ALLOW_HOSTS = allowHosts;
  process.env.LOG_LEVEL = "warn";
  resetEnvForTests();
  cleanups.push({ name: "app clients", fn: closeAppClients });

  log("migrating");
  await migrateDatabase(dbUrl, { withBoss: ensureQueues });
  const { getSql } = await import("@/db");
  const [{ server_version: pgVersion }] = (await getSql().unsafe("show server_version")) as unknown as [{ server_version: string }];
  if (flags.sniffOnly) return sniffPart(pgVersion);
  if (flags.digestOnly) return digestPart(pgVersion, flags.rounds ?? (flags.quick ? 2 : 5));

  const psql = await psqlVersion();
  const baselines: BenchReport["baselines"] = { text: null, typed: null };
  if (flags.bigOnly) {
    baselines.skipped = "--only=1g";
  } else if (flags.webOnly || flags.runsOnly || !mainCsv) {
    baselines.skipped = flags.runsOnly ? "--only=runs" : "--only=web";
  } else if (flags.dialectsOnly || flags.apiOnly) {
    baselines.skipped = `--only=${flags.apiOnly ? "api" : "dialects"} (the part runs psql → pre-typed once a round)`;
  } else if (!psql) {
    baselines.skipped = "psql is not installed";
    log("psql not found: skipping the baselines");
  } else {
    for (const kind of ["text", "typed"] as const) {
      const result: BaselineResult = await runPsqlBaseline(dbUrl, mainCsv.path, kind, {
        runs: flags.quick ? 2 : BEST_OF,
        timeoutMs: flags.timeoutMs,
        log,
      });
      baselines[kind] = result;
      if (result.rows !== mainCsv.rows) notes.push(`psql ${kind} loaded ${result.rows} rows, expected ${mainCsv.rows}`);
    }
  }

  const { createUser } = await import("@/lib/auth/users");
  const actor = await createUser({
    email: "bench@example.com",
    name: "Benchmark",
    password: crypto.randomBytes(18).toString("base64url"),
    role: "editor",
  });
  const workerEnv: WorkerEnv = {
    repoRoot: REPO_ROOT,
    databaseUrl: dbUrl,
    dataDir,
    allowHosts,
    verbose: flags.verbose,
    cpuProfileDir: flags.cpuProfile ? path.join(CACHE_DIR, "profiles") : null,
  };

  const mainName = flags.quick ? "bench_100k" : "bench_1m";
  // Best of 3, as for the psql baselines: on a shared machine one run can be slowed by a
  // neighbour. Each run is a new dataset (the same file again would be "unchanged") on a fresh
  // worker; the first keeps its tables for the typed-model part.
  const ingestRuns: IngestResult[] = [];
  for (let run = 1; mainCsv && !flags.dialectsOnly && !flags.apiOnly && run <= (flags.quick ? 1 : BEST_OF) && !interrupted; run++) {
    const name = run === 1 ? mainName : `${mainName}_run${run}`;
    const url = server.host(`/bench-main-${run}.csv`, mainCsv.path);
    ingestRuns.push(await ingestWithFreshWorker(workerEnv, name, url, actor, flags));
    if (run > 1)
      await getSql()
        .unsafe(`drop table if exists staging."${name}", warehouse."${name}" cascade`)
        .catch(() => {});
  }
  const ingest = bestIngest(ingestRuns);
  if (ingestRuns.length > 1) {
    notes.push(
      `Relayboard ingest: best of ${ingestRuns.length} runs by total (as each psql baseline is best of ${ingestRuns.length}); every run, staging / total: ` +
        ingestRuns
          .map((r) => `${r.status === "succeeded" ? `${stagingSeconds(r).toFixed(2)} s / ${r.totalSeconds.toFixed(2)} s` : r.status}`)
          .join(", ") +
        ".",
    );
  }
  if (mainCsv && ingest?.status === "succeeded" && ingest.rowsLoaded !== mainCsv.rows) {
    notes.push(`Relayboard loaded ${ingest.rowsLoaded} rows, expected ${mainCsv.rows}`);
  }

  // The typed model is timed on the main load's staging table, before the big load replaces it.
  let typedModel: TypedModelResult | null = null;
  if (ingest?.status === "succeeded" && !interrupted && !flags.ingestOnly) {
    log("typed model vs hand-written CTAS");
    typedModel = await measureTypedModel({ databaseUrl: dbUrl, datasetName: mainName, runs: 2, timeoutMs: flags.timeoutMs, log });
    if (typedModel.error) log(`typed model: ${typedModel.error}`);
  }

  let dialects: DialectResult | null = null;
  if (mainCsv && dialectFiles.size && !interrupted) {
    const { createApiToken } = await import("@/lib/api/tokens");
    const { token } = await createApiToken(actor, { name: "bench uploads", role: "editor" });
    const uploads = await startUploadRoute(token);
    cleanups.push({ name: "upload route", fn: uploads.close });
    dialects = await measureDialects({
      variants,
      rounds: flags.rounds ?? (flags.quick ? QUICK_DIALECT_ROUNDS : DIALECT_ROUNDS),
      files: dialectFiles,
      psqlTyped: async () => {
        if (!psql) throw new Error("psql is not installed: nothing to compare with");
        return runPsqlBaseline(dbUrl, mainCsv.path, "typed", { runs: 1, timeoutMs: flags.timeoutMs, log });
      },
      ingest: async (variant, file, name) => {
        const { urlPath, contentType } = variantUrlPath(variant, name);
        const url = server.host(urlPath, file.path, contentType);
        const register = variant.via === "upload" ? () => uploads.upload(name, file.path) : undefined;
        const result = await ingestWithFreshWorker(workerEnv, name, url, actor, flags, register);
        // Only the timings are kept: give the space back before the next load.
        await getSql()
          .unsafe(`drop table if exists staging."${name}", warehouse."${name}" cascade`)
          .catch(() => {});
        return result;
      },
      interrupted: () => interrupted,
      log,
    });
    if (dialects.error) log(`dialects: ${dialects.error}`);
  }

  let api: ApiResult | null = null;
  // Part of a full run too (issue 15 judges the API path on the same run as the variant table).
  if ((flags.apiOnly || isFullRun(flags)) && mainCsv && !interrupted) {
    const secrets = getEnv();
    api = await measureApi({
      repoRoot: REPO_ROOT,
      env: {
        ...process.env,
        LOG_LEVEL: "warn",
        AUTH_SECRET: secrets.authSecret,
        ENCRYPTION_KEY: secrets.encryptionKey.toString("base64"),
      },
      rounds: flags.rounds ?? (flags.quick ? QUICK_DIALECT_ROUNDS : DIALECT_ROUNDS),
      quick: flags.quick,
      file: mainCsv,
      host: (urlPath, filePath) => server.host(urlPath, filePath),
      startWorker: () => startWorker(workerEnv, (stop) => cleanups.push({ name: "api worker", fn: stop })),
      psqlTyped: async () => {
        if (!psql) throw new Error("psql is not installed: nothing to compare with");
        return runPsqlBaseline(dbUrl, mainCsv.path, "typed", { runs: 1, timeoutMs: flags.timeoutMs, log });
      },
      dropTables: async (name) => {
        await getSql()
          .unsafe(`drop table if exists staging."${name}", warehouse."${name}" cascade`)
          .catch(() => {});
      },
      checkpoint: async () => {
        await getSql()
          .unsafe("checkpoint")
          .catch(() => {});
      },
      createToken: async () => {
        const { createApiToken } = await import("@/lib/api/tokens");
        const password = crypto.randomBytes(18).toString("base64url");
        const user = await createUser({ email: "bench-api@example.com", name: "API bench", password, role: "admin" });
        const { token } = await createApiToken(user, { name: "bench api", role: "editor" });
        return { token, email: user.email, password };
      },
      timeoutMs: flags.timeoutMs,
      interrupted: () => interrupted,
      onSpawn: (name, stop) => cleanups.push({ name, fn: stop }),
      verbose: flags.verbose,
      log,
    });
  }

  let bigFile: FileInfo | null = null;
  let bigIngest: IngestResult | null = null;
  const bigSkipped =
    flags.webOnly || flags.runsOnly
      ? `skipped (--only=${flags.runsOnly ? "runs" : "web"})`
      : flags.ingestOnly || flags.dialectsOnly || flags.apiOnly
        ? `skipped (--only=${flags.ingestOnly ? "ingest" : flags.apiOnly ? "api" : "dialects"})`
        : flags.quick
          ? "skipped (--quick)"
          : flags.skipBig
            ? "skipped (--skip-1g)"
            : undefined;
  if (!bigSkipped) {
    // The main load's tables are not needed any more; give the space back before the big one.
    await getSql()
      .unsafe(`drop table if exists staging."${mainName}", warehouse."${mainName}"`)
      .catch(() => {});
    const bigCsv = await prepareCsv(BIG_ROWS);
    bigFile = fileInfo(bigCsv);
    bigIngest = await ingestWithFreshWorker(workerEnv, "bench_1g", server.host("/bench-1g.csv", bigCsv.path), actor, flags);
  }

  const latencyCsv = await prepareCsv(LATENCY_ROWS);
  const runLatency =
    interrupted || flags.webOnly || flags.ingestOnly || flags.dialectsOnly || flags.apiOnly || flags.bigOnly
      ? null
      : await withWorkers(
          workerEnv,
          "latency",
          1,
          (alive) =>
            measureRunLatency({
              name: "bench_latency",
              csvUrl: server.host("/bench-latency.csv", latencyCsv.path),
              rows: latencyCsv.rows,
              sink,
              actor,
              runs: flags.quick ? 3 : 10,
              runTimeoutMs: LATENCY_RUN_TIMEOUT_MS,
              workerAlive: alive,
              log,
            }),
          (error) => failedLatency(latencyCsv.rows, flags.quick ? 3 : 10, error),
        );

  const tinyCsv = await ensureCsv(CACHE_DIR, THROUGHPUT_ROWS);
  const pipelines = flags.quick ? 20 : 200;
  const throughput =
    interrupted || flags.webOnly || flags.ingestOnly || flags.dialectsOnly || flags.apiOnly || flags.bigOnly
      ? null
      : await withWorkers(
          workerEnv,
          "throughput",
          2,
          (alive) =>
            measureThroughput({
              pipelines,
              rowsEach: tinyCsv.rows,
              csvUrl: (i) => server.host(`/tp-${i}.csv`, tinyCsv.path),
              actor,
              workers: 2,
              timeoutMs: flags.timeoutMs,
              workersAlive: alive,
              log,
            }),
          (error) => failedThroughput(pipelines, tinyCsv.rows, error),
        );

  const webSeconds = flags.quick ? QUICK_WEB_SECONDS : WEB_SECONDS;
  const secrets = getEnv();
  const webLoad =
    interrupted || flags.ingestOnly || flags.dialectsOnly || flags.apiOnly || flags.bigOnly || flags.runsOnly
      ? null
      : await withWorkers(
          workerEnv,
          "web load",
          1,
          (alive) =>
            measureWebLoad({
              repoRoot: REPO_ROOT,
              // What the worker gets, plus the secrets a production process must be given explicitly.
              webEnv: {
                ...process.env,
                LOG_LEVEL: "warn",
                AUTH_SECRET: secrets.authSecret,
                ENCRYPTION_KEY: secrets.encryptionKey.toString("base64"),
              },
              connections: WEB_CONNECTIONS,
              durationSeconds: webSeconds,
              maxRuns: WEB_MAX_RUNS,
              csvUrl: (i) => server.host(`/web-${i}.csv`, latencyCsv.path),
              workerAlive: alive,
              onSpawn: (stop) => cleanups.push({ name: "web server", fn: stop }),
              verbose: flags.verbose,
              log,
            }),
          (error) => emptyWebLoad(WEB_CONNECTIONS, webSeconds, error),
        );

  if (runLatency?.error) notes.push(`Run latency did not complete: ${runLatency.error}`);
  if (throughput?.error) notes.push(`Throughput did not complete: ${throughput.error}`);
  if (webLoad) {
    notes.push(
      `Web load: the production build under \`next start\` (NODE_ENV=production, LOG_LEVEL=warn) with 1 worker; GET /health is the baseline (the dashboard runs the same database, storage and queue checks, then renders). ` +
        `The dashboard is requested with a signed-in admin's session cookie, GET /v1/runs (25 runs a page) with ${WEB_CONNECTIONS} viewer API tokens, one per connection (the 600 requests/minute limit is per token). ` +
        "Each endpoint gets 10 sequential requests first (not timed) that must answer 200; after each endpoint's load the bench waits until GET /health answers within 4 × its idle time again (autocannon stops with requests in flight that the server still works through), shown as \"settled after\". autocannon runs in the bench process and shares the machine's cores with the web process, the worker and PostgreSQL.",
    );
  }
  if (typedModel) {
    notes.push(
      "Typed model: buildTypedTable() is Relayboard's typing step on its own (drop the build table, then CREATE TABLE AS with casts, or for a staging table over 32 MiB an empty CREATE TABLE AS … WITH NO DATA filled by two INSERT … SELECTs over page halves on two connections; then drop the old table and rename, in one transaction); the hand-written CTAS is one statement with btrim() before every cast and also carries the 3 bookkeeping columns, under SET LOCAL timezone = 'UTC' as the build does. Interleaved, a checkpoint before each run, best of 2.",
    );
  }
  if (runLatency) {
    notes.push(
      `Run latency: the dataset is registered once (its first run is not timed), then forced runs are requested one after another with requestRun(); each starts ≥ 1.1 s after the previous message so the 1 post/s webhook pacing never delays a timed run. Segment medians are taken separately, so they need not add up to the median total.`,
    );
  }
  if (throughput) {
    notes.push(
      "Throughput: relayboard.destinations is emptied first, so every deliver step is skipped (no default destination) and Slack pacing does not dominate; each dataset serves the same cached 20-row file from its own URL.",
    );
  }
  if (flags.bigOnly && bigIngest) {
    notes.push(
      "--only=1g: the 1 GiB file alone, through a fresh worker (the same part a full run ends its ingest with); no psql baseline, no main ingest and no other part.",
      "Total = registerUrlDataset() call to finishedAt: includes the queue pickups, the final count(*) and bookkeeping. Worker RSS: VmRSS sampled every 100 ms and VmHWM from /proc.",
    );
  }
  if (ingest) {
    notes.push(
      "Every step of a run is its own pg-boss job (batchSize 1, pollingIntervalSeconds 0.5 in jobs/worker.ts); whoever enqueues a job also sends NOTIFY relayboard_jobs, which the workers LISTEN to, so a step starts at once; the 0.5 s poll only catches a missed notification.",
      "fetch streams the file over HTTP from 127.0.0.1 into object storage (local directory under DATA_DIR, sha256, fsync) and, at the same time, through the scanner into COPY (two COPYs on two connections for a file over 4 MiB); psql reads the file directly.",
      `Type inference runs over every row during the load (native scanner: ${nativeScanRecords() ? "built, used" : "not built, TypeScript scanner"}); typing is the CREATE TABLE AS (two INSERT … SELECTs for a large table) with casts into warehouse plus the swap.`,
      "Total = registerUrlDataset() call to finishedAt: includes the queue pickups, the final count(*) and bookkeeping.",
      "Staging tables carry 3 extra metadata columns (_rb_line, _rb_version, _rb_loaded_at) that the psql tables do not.",
      'The worker runs with LOG_LEVEL=info because its "worker ready" line is logged at info.',
    );
  }
  const partial: Omit<BenchReport, "targets"> = {
    startedAt: new Date(startedAt).toISOString(),
    mode: flags.quick ? "quick" : "full",
    machine: {
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.cpus().length,
      memoryBytes: os.totalmem(),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      postgres: pgVersion,
      psql,
      database: serverUrl ? "DATABASE_URL" : "embedded",
      loadAverage: loadAverageAtStart,
      loadAverageEnd: os.loadavg()[0],
    },
    file: mainCsv ? fileInfo(mainCsv) : null,
    only: flags.webOnly
      ? "web"
      : flags.ingestOnly
        ? "ingest"
        : flags.dialectsOnly
          ? "dialects"
          : flags.apiOnly
            ? "api"
            : flags.bigOnly
              ? "1g"
              : flags.runsOnly
                ? "runs"
                : undefined,
    baselines,
    ingest,
    bigFile,
    bigIngest,
    bigSkipped,
    dialects,
    api,
    typedModel,
    runLatency,
    throughput,
    webLoad,
    partsSkipped: interrupted ? "interrupted" : undefined,
    notes,
  };
  const report: BenchReport = { ...partial, targets: computeTargets(partial) };
  const rendered = renderReport(report);
  process.stdout.write(`\n${rendered}\n\n`);
  const digestOk =
    flags.webOnly || flags.ingestOnly || flags.dialectsOnly || flags.apiOnly || flags.bigOnly || flags.runsOnly || interrupted
      ? true
      : await digestPart(pgVersion, flags.quick ? 2 : 5);
  log(`written ${path.relative(REPO_ROOT, writeReportJson(CACHE_DIR, report, rendered))}`);
  // Timings never fail the bench; a load, a run or a measurement that did not complete does, and
  // so does any error or non-2xx answer from the web process under load.
  const partsOk =
    !typedModel?.error &&
    !runLatency?.error &&
    !throughput?.error &&
    (throughput === null || throughput.succeeded === throughput.pipelines) &&
    webLoadOk(webLoad) &&
    apiOk(api);
  const dialectRuns = dialects?.rows.flatMap((r) => r.runs) ?? [];
  return (
    [ingest, bigIngest, ...dialectRuns].every((r) => r === null || r.status === "succeeded") && !dialects?.error && partsOk && digestOk
  );
}

/** `--only=sniff`: the corpus through Relayboard's upload path (in this process) and through DuckDB. */
async function sniffPart(pgVersion: string): Promise<boolean> {
  const { createUser } = await import("@/lib/auth/users");
  const { createApiToken } = await import("@/lib/api/tokens");
  const { measureSniff, renderSniff, sniffOk } = await import("@/bench/sniff");
  const admin = await createUser({
    email: "bench-sniff@example.com",
    password: crypto.randomBytes(18).toString("base64url"),
    role: "admin",
  });
  const { token } = await createApiToken(admin, { name: "bench sniff", role: "editor" });
  const result = await measureSniff({ token, log });
  process.stdout.write(`\n${renderSniff(result)}\n\nPostgreSQL ${pgVersion}, Node ${process.version}.\n\n`);
  return sniffOk(result);
}

/** `--only=digest` (and the end of a full run): the "what changed" diff of 100,000 keyed rows, in this process. */
async function digestPart(pgVersion: string, rounds: number): Promise<boolean> {
  const { measureDigest, renderDigest } = await import("@/bench/digest");
  const result = await measureDigest({ rounds, log });
  process.stdout.write(`\n${renderDigest(result)}\n\nPostgreSQL ${pgVersion}, Node ${process.version}.\n\n`);
  return result.error === null;
}

async function waitForIdleRuns(name: string, timeoutMs: number): Promise<void> {
  const { getSql } = await import("@/db");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [{ n }] = (await getSql()`select count(*)::int as n from relayboard.runs where status in ('queued', 'running')`) as unknown as [
      { n: number },
    ];
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`${name}: its pipeline run did not finish within ${timeoutMs / 1000} s; stopping the worker anyway`);
}

/** Runs `fn` with `count` fresh workers, stopped again afterwards whatever happens. */
async function withWorkers<T>(
  workerEnv: WorkerEnv,
  name: string,
  count: number,
  fn: (alive: () => boolean) => Promise<T>,
  failed: (message: string) => T,
): Promise<T> {
  const { getSql } = await import("@/db");
  await getSql()
    .unsafe("checkpoint")
    .catch(() => {});
  log(`${name}: starting ${count} worker${count > 1 ? "s" : ""}`);
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => startWorker(workerEnv, (stop) => cleanups.push({ name: `${name} worker ${i + 1}`, fn: stop }))),
  );
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  try {
    const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) return failed(`a worker did not start: ${String(failure.reason).slice(0, 300)}`);
    return await fn(() => workers.every((w) => w.alive()));
  } catch (err) {
    return failed(err instanceof Error ? err.message : String(err));
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .then(async (ok) => {
    await cleanupAll();
    process.exit(ok ? 0 : 1);
  })
  .catch(async (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanupAll();
    process.exit(1);
  });
