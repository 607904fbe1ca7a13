import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { WORKER_ENTRY, WORKER_NODE_ARGS } from "@/jobs/node-args";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
// `node --import tsx` runs the script in this one process (the tsx CLI would fork a child),
// so a SIGKILL in a test really kills the worker.
const TSX_ARGS = ["--import", "tsx"];

export type Captured = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs a TypeScript entrypoint of the repo (as `npm run …` would) and captures its output. */
export function runTs(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX_ARGS, script, ...args], { cwd: REPO_ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A worker process started exactly as `npm run worker` starts one (jobs/start.mjs). */
export function startWorkerProcess(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  return captureOutput(spawn(process.execPath, [...WORKER_NODE_ARGS, WORKER_ENTRY], { cwd: REPO_ROOT, env }));
}

function captureOutput(child: ChildProcess): { child: ChildProcess; output: () => string } {
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  return { child, output: () => output };
}

export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The child's environment: ours without anything that would point it elsewhere. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "info" };
  for (const key of Object.keys(env)) if (key.startsWith("S3_") || key === "DATABASE_URL") delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
