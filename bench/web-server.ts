import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { waitFor } from "@/tests/helpers/processes";

/**
 * The production web process for the web-load bench: `next start` on 127.0.0.1 (what
 * `npm run web` runs once the database is prepared), its build, and signing in to it.
 */

const READY_TIMEOUT_MS = 120_000;
const TAIL_LINES = 40;

export type BuildInfo = { id: string; builtAt: string; staleBecause: string | null };

const BUILD_INPUTS = ["app", "lib", "components", "db", "next.config.js", "package-lock.json"];

function newestFile(entry: string): { file: string; mtimeMs: number } | null {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return null;
  if (!stat.isDirectory()) return { file: entry, mtimeMs: stat.mtimeMs };
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const name of fs.readdirSync(entry)) {
    const found = newestFile(path.join(entry, name));
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/** The production build `next start` will serve; throws when there is none. Staleness is only reported. */
export function checkBuild(repoRoot: string): BuildInfo {
  const buildIdFile = path.join(repoRoot, ".next", "BUILD_ID");
  const stat = fs.statSync(buildIdFile, { throwIfNoEntry: false });
  if (!stat)
    throw new Error(
      "no production build (.next/BUILD_ID is missing): run `npm run build` first; the web-load part serves the build as `npm run web` does",
    );
  let staleBecause: string | null = null;
  for (const input of BUILD_INPUTS) {
    const newest = newestFile(path.join(repoRoot, input));
    if (newest && newest.mtimeMs > stat.mtimeMs + 1_000) {
      staleBecause = `${path.relative(repoRoot, newest.file)} changed after the build`;
      break;
    }
  }
  return { id: fs.readFileSync(buildIdFile, "utf8").trim(), builtAt: stat.mtime.toISOString(), staleBecause };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export type WebServer = { pid: number; baseUrl: string; tail: () => string[]; stop: () => Promise<void> };

/** `next start` on 127.0.0.1 and a free port; ready when GET /health answers 200. */
export async function startWebServer(
  opts: { repoRoot: string; env: NodeJS.ProcessEnv; verbose: boolean },
  onSpawn: (stop: () => Promise<void>) => void,
): Promise<WebServer> {
  const port = await freePort();
  const nextBin = path.join(opts.repoRoot, "node_modules", "next", "dist", "bin", "next");
  const child = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: opts.repoRoot,
    env: { ...opts.env, NODE_ENV: "production", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error("could not start `next start`");
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
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  onSpawn(stop);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
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
  return { pid: child.pid, baseUrl, tail: () => [...lines], stop };
}

/** Signs in through next-auth's credentials callback, as the login form does; returns the Cookie header. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: header() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.endsWith("session-token")))
    throw new Error(`sign-in gave no session cookie (${res.status}): ${(await res.text()).slice(0, 200)}`);
  return header();
}
