import postgres, { type Sql } from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import * as schema from "@/db/schema";
import { resolveDatabaseUrl } from "@/db/connection-url";

export type Db = PostgresJsDatabase<typeof schema>;
/** A drizzle transaction or the database itself: every query function takes one. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

type Clients = { url: string; sql: Sql; db: Db };

// Cached on globalThis: Next's dev server re-evaluates modules on every reload, and a new pool
// each time would exhaust the server's connections.
const globalForDb = globalThis as unknown as { __relayboardDb?: Clients };

export function createSqlClient(url: string, opts: { max?: number; applicationName?: string } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: 5,
    idle_timeout: 30,
    onnotice: () => {},
    // pg-boss passes undefined for unset options when it runs SQL on our transaction.
    transform: { undefined: null },
    connection: { application_name: opts.applicationName ?? "relayboard" },
  });
}

function clients(): Clients {
  const url = resolveDatabaseUrl();
  const cached = globalForDb.__relayboardDb;
  if (cached && cached.url === url) return cached;
  if (cached) void cached.sql.end({ timeout: 5 });
  const sql = createSqlClient(url);
  const created = { url, sql, db: drizzle(sql, { schema }) };
  globalForDb.__relayboardDb = created;
  return created;
}

export function getDb(): Db {
  return clients().db;
}

export function getSql(): Sql {
  return clients().sql;
}

export async function closeDb(): Promise<void> {
  const cached = globalForDb.__relayboardDb;
  globalForDb.__relayboardDb = undefined;
  if (cached) await cached.sql.end({ timeout: 5 });
}
