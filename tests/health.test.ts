import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureEmbeddedPostgres, type EmbeddedHandle } from "@/db/embedded";
import { migrateDatabase } from "@/lib/database/migrate";
import { resetEnvForTests } from "@/lib/env";

/**
 * /health against a Postgres we can stop and start: a private embedded server. The checks reuse
 * the same process-wide clients throughout, as the running app would.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rb-health-"));
let server: EmbeddedHandle;
let port: number;

beforeAll(async () => {
  server = await ensureEmbeddedPostgres(dataDir);
  port = Number(new URL(server.url).port);
  await migrateDatabase(server.url);
  process.env.DATABASE_URL = server.url;
  process.env.DATA_DIR = dataDir;
  resetEnvForTests();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("health checks", () => {
  it("report ok, then name the database while Postgres is down, then recover without a restart", async () => {
    const { runHealthChecks } = await import("@/lib/health");
    const healthy = await runHealthChecks();
    expect(healthy).toMatchObject({ status: "ok", checks: { database: "ok", storage: "ok", queue: "ok" } });
    expect(healthy.version).toMatch(/^\d+\.\d+\.\d+/);

    await server.stop();
    const down = await runHealthChecks();
    expect(down.status).toBe("error");
    expect(down.checks.database).not.toBe("ok");
    expect(down.checks.storage).toBe("ok");
    // Reasons are short and never carry the connection string or its password.
    const password = decodeURIComponent(new URL(server.url).password);
    expect(JSON.stringify(down)).not.toContain(password);
    expect(down.checks.database.length).toBeLessThanOrEqual(80);

    server = await ensureEmbeddedPostgres(dataDir, { port });
    let recovered = await runHealthChecks();
    for (let i = 0; i < 20 && recovered.status !== "ok"; i++) {
      await new Promise((r) => setTimeout(r, 500));
      recovered = await runHealthChecks();
    }
    expect(recovered.checks).toEqual({ database: "ok", storage: "ok", queue: "ok" });
  }, 120_000);
});
