import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { getEnv, ConfigError } from "@/lib/env";
import { getLogger } from "@/lib/log";
import { prepareSetupToken } from "@/lib/auth/setup-token";
import { closeDb } from "@/db";
import { prepareDatabase } from "@/lib/database/prepare";
import { WEB_NODE_ARGS, WORKER_ENTRY, WORKER_NODE_ARGS } from "@/jobs/node-args";

/**
 * `npm run dev` / `npm start` / `npm run web`: one command that prepares the database (the embedded
 * one when DATABASE_URL is unset), then runs the web app (scripts/web-server.ts, on HOST, by default
 * 127.0.0.1 only) and, except for `web`, the worker.
 */
type Mode = "dev" | "start" | "web";

const NEXT_BIN = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");

function hasBuild(): boolean {
  return fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID"));
}

function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * The one place the setup token is shown: this console, not the JSON log (log shippers keep those).
 * Deleted once the first admin exists.
 */
function printSetupBanner(url: string, token: string): void {
  const lines = [
    "",
    "  First run: create the admin account at " + `${url}/setup`,
    "  From this machine no token is needed. From any other, enter this setup token:",
    "",
    `      ${token}`,
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, command, ...args], { stdio: "inherit", env });
}

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? "start") as Mode;
  if (!["dev", "start", "web"].includes(mode)) throw new ConfigError(`unknown mode ${mode}; use dev, start or web`);
  const env = getEnv();
  const log = getLogger().child({ role: "launcher", mode });
  const database = await prepareDatabase({ log });

  const nodeEnv: "development" | "production" = mode === "dev" ? "development" : "production";
  if (mode !== "dev" && !hasBuild()) {
    log.info("no production build found; running `next build` first");
    const code = await new Promise<number>((resolve) =>
      run(NEXT_BIN, ["build"], { ...process.env, NODE_ENV: "production" }).on("exit", (c) => resolve(c ?? 1)),
    );
    if (code !== 0) throw new Error(`next build failed with exit code ${code}`);
  }

  // A fresh install (no user yet) gets a one-time token for /setup from other machines.
  const setupToken = await prepareSetupToken(env.dataDir);
  await closeDb();

  const childEnv = { ...process.env, NODE_ENV: nodeEnv, PORT: String(env.port), HOST: env.host };
  const children: { name: string; proc: ChildProcess }[] = [];
  children.push({
    name: "web",
    proc: run("scripts/web-server.ts", [mode === "dev" ? "dev" : "start"], childEnv, [...WEB_NODE_ARGS, "--import", "tsx"]),
  });
  if (mode !== "web") children.push({ name: "worker", proc: run(WORKER_ENTRY, [], childEnv, [...WORKER_NODE_ARGS]) });
  const url = `http://${displayHost(env.host)}:${env.port}`;
  log.info({ url, host: env.host, processes: children.map((c) => c.name) }, "relayboard starting");
  if (setupToken) printSetupBanner(url, setupToken);

  let stopping = false;
  const stopAll = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, "stopping");
    const exited = children.map(
      ({ proc }) => new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once("exit", () => resolve()))),
    );
    for (const { proc } of children) if (proc.exitCode === null) proc.kill("SIGTERM");
    const deadline = setTimeout(() => children.forEach(({ proc }) => proc.exitCode === null && proc.kill("SIGKILL")), 35_000);
    await Promise.all(exited);
    clearTimeout(deadline);
    // The database goes last, once nothing uses it.
    await database.stop();
    process.exit(exitCode);
  };

  // The worker exits on purpose when it loses its database mid-step (see jobs/worker.ts) and
  // expects a supervisor to start it again: here the launcher is that supervisor. A worker that
  // keeps dying (more than MAX_RESTARTS in RESTART_WINDOW_MS) stops everything instead.
  const MAX_RESTARTS = 5;
  const RESTART_WINDOW_MS = 60_000;
  const restarts: number[] = [];
  const watch = (child: { name: string; proc: ChildProcess }) => {
    child.proc.on("exit", (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      while (restarts.length && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
      if (child.name === "worker" && code !== 0 && restarts.length < MAX_RESTARTS) {
        restarts.push(now);
        log.warn({ code, signal, restartsInLastMinute: restarts.length }, "worker exited; starting it again");
        setTimeout(() => {
          if (stopping) return;
          child.proc = run(WORKER_ENTRY, [], childEnv, [...WORKER_NODE_ARGS]);
          watch(child);
        }, 1_000);
        return;
      }
      void stopAll(`${child.name} exited (${signal ?? code})`, code === 0 ? 0 : 1);
    });
  };
  children.forEach(watch);
  process.on("SIGINT", () => void stopAll("SIGINT", 0));
  process.on("SIGTERM", () => void stopAll("SIGTERM", 0));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
