import { spawn } from "node:child_process";
import { BENCH_COLUMNS } from "@/bench/generate-csv";

/**
 * The yardstick: the machine's own `psql \copy` of the same file, once into an all-text table
 * (what a staging load does) and once into a table declared with the right types up front.
 */

export type BaselineKind = "text" | "typed";

export type BaselineResult = {
  kind: BaselineKind;
  /** Every timed run, in order; `seconds` is the best of them. */
  runs: number[];
  seconds: number;
  rows: number;
};

type PsqlOutcome = { code: number | null; stdout: string; stderr: string };

function runPsql(url: string, args: string[], timeoutMs: number): Promise<PsqlOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", [url, "-X", "-v", "ON_ERROR_STOP=1", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`psql timed out after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function psqlOrThrow(url: string, command: string, timeoutMs: number): Promise<string> {
  const out = await runPsql(url, ["-c", command], timeoutMs);
  if (out.code !== 0) throw new Error(`psql failed (exit ${out.code}): ${out.stderr.trim().slice(0, 500)}`);
  return out.stdout;
}

/** The psql client's version line, or null when psql is not installed. */
export async function psqlVersion(): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn("psql", ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", () => resolve(null));
    child.on("close", (code) => resolve(code === 0 ? out.trim() : null));
  });
}

function tableDdl(kind: BaselineKind, table: string): string {
  const cols = BENCH_COLUMNS.map((c) => `${c.name} ${kind === "text" ? "text" : c.pgType}`).join(", ");
  return `drop table if exists ${table}; create table ${table} (${cols})`;
}

/**
 * Runs `\copy` `runs` times into a freshly created table and keeps the best time; only the
 * \copy itself is timed. The table is dropped afterwards to give the disk space back.
 */
export async function runPsqlBaseline(
  url: string,
  csvPath: string,
  kind: BaselineKind,
  opts: { runs: number; timeoutMs: number; log: (msg: string) => void },
): Promise<BaselineResult> {
  const table = `bench_psql_${kind}`;
  const runs: number[] = [];
  let rows = 0;
  try {
    for (let i = 0; i < opts.runs; i++) {
      await psqlOrThrow(url, tableDdl(kind, table), 60_000);
      // Start every run from a checkpoint so one run's dirty buffers are not the next run's cost.
      await psqlOrThrow(url, "checkpoint", 120_000).catch(() => {});
      const started = process.hrtime.bigint();
      const stdout = await psqlOrThrow(
        url,
        `\\copy ${table} from '${csvPath.replace(/'/g, "''")}' with (format csv, header true)`,
        opts.timeoutMs,
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      runs.push(seconds);
      rows = Number(/COPY (\d+)/.exec(stdout)?.[1] ?? 0);
      opts.log(`psql \\copy into ${kind} table, run ${i + 1}/${opts.runs}: ${seconds.toFixed(2)} s, ${rows} rows`);
    }
  } finally {
    await psqlOrThrow(url, `drop table if exists ${table}`, 60_000).catch(() => {});
  }
  return { kind, runs, seconds: Math.min(...runs), rows };
}
