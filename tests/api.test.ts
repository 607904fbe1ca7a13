import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import SwaggerParser from "@apidevtools/swagger-parser";
import { closeDb, getSql } from "@/db";
import { resetEnvForTests } from "@/lib/env";
import { createUser, setUserActive } from "@/lib/auth/users";
import { createApiToken, RATE_LIMIT_PER_MINUTE } from "@/lib/api/tokens";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { getLogger } from "@/lib/log";
import { getBoss } from "@/lib/queue/boss";
import { buildModelsJob } from "@/lib/queue/jobs";
import { buildModelsHandler } from "@/jobs/definitions/build-models";
import { getDatasetLoad } from "@/db/queries/datasets";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import pino from "pino";
import { startCsvHost } from "./helpers/csv-host";
import { REPO_ROOT } from "./helpers/processes";

/**
 * Contract tests: the real /v1 route handlers, called with real Request objects, against the
 * real database. (The end-to-end API flow over HTTP, with a worker, is in e2e/.)
 */
type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const routes = {
  datasetsCsv: () => import("@/app/v1/datasets/csv/route"),
  datasets: () => import("@/app/v1/datasets/route"),
  dataset: () => import("@/app/v1/datasets/[name]/route"),
  rows: () => import("@/app/v1/datasets/[name]/rows/route"),
  slack: () => import("@/app/v1/destinations/slack/route"),
  pipelines: () => import("@/app/v1/pipelines/route"),
  pipeline: () => import("@/app/v1/pipelines/[id]/route"),
  run: () => import("@/app/v1/pipelines/run/route"),
  runs: () => import("@/app/v1/runs/route"),
  runById: () => import("@/app/v1/runs/[id]/route"),
  cancel: () => import("@/app/v1/runs/[id]/cancel/route"),
  models: () => import("@/app/v1/models/route"),
  model: () => import("@/app/v1/models/[name]/route"),
  build: () => import("@/app/v1/models/[name]/build/route"),
  buildById: () => import("@/app/v1/models/[name]/builds/[id]/route"),
  versions: () => import("@/app/v1/datasets/[name]/versions/route"),
  importModels: () => import("@/app/v1/models/import/route"),
  openapi: () => import("@/app/v1/openapi.json/route"),
};

let host: Awaited<ReturnType<typeof startCsvHost>>;
let sink: SlackSink;
const tokens: Record<string, string> = {};

async function call(
  route: keyof typeof routes,
  method: "GET" | "POST" | "PUT" | "DELETE",
  opts: { token?: string | null; body?: unknown; raw?: string; contentType?: string; params?: Record<string, string>; query?: string } = {},
) {
  const mod = (await routes[route]()) as unknown as Record<string, Handler>;
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? tokens.editor : opts.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers["content-type"] = opts.contentType ?? "application/json";
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = opts.contentType ?? "application/json";
  }
  const request = new Request(`http://127.0.0.1:3000/v1/x${opts.query ?? ""}`, { method, headers, body });
  const response = await mod[method]!(request, { params: Promise.resolve(opts.params ?? {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

function expectError(res: { status: number; json: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(JSON.stringify(res.json)).not.toMatch(/at .*\.ts:\d+|select .* from/i);
}

beforeAll(async () => {
  host = await startCsvHost();
  sink = await startSlackSink();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port},127.0.0.1:${sink.port}`;
  resetEnvForTests();
  const admin = await createUser({ email: "api-admin@example.com", password: "long enough pw", role: "admin" });
  const viewer = await createUser({ email: "api-viewer@example.com", password: "long enough pw", role: "viewer" });
  const leaver = await createUser({ email: "api-leaver@example.com", password: "long enough pw", role: "editor" });
  tokens.editor = (await createApiToken(admin, { name: "ci", role: "editor" })).token;
  tokens.viewer = (await createApiToken(viewer, { name: "reader" })).token;
  tokens.revoked = (await createApiToken(admin, { name: "old", role: "editor" })).token;
  tokens.expiring = (await createApiToken(admin, { name: "short", role: "editor", expiresAt: new Date(Date.now() + 60_000) })).token;
  tokens.leaver = (await createApiToken(leaver, { name: "leaver" })).token;
  await getSql()`update relayboard.api_tokens set revoked_at = now() where name = 'old'`;
  await getSql()`update relayboard.api_tokens set expires_at = now() - interval '1 second' where name = 'short'`;
  await setUserActive(admin.id, leaver.id, false);
});

afterAll(async () => {
  await host.close();
  await sink.close();
  await closeDb();
});

describe("authentication and errors", () => {
  it("refuses missing, unknown, revoked and expired tokens, and tokens of deactivated users (401)", async () => {
    expectError(await call("datasets", "GET", { token: null }), 401, "unauthorized");
    expectError(await call("datasets", "GET", { token: "rb_not-a-real-token" }), 401, "unauthorized");
    expectError(await call("datasets", "GET", { token: tokens.revoked }), 401, "unauthorized");
    expectError(await call("datasets", "GET", { token: tokens.expiring }), 401, "unauthorized");
    expectError(await call("datasets", "GET", { token: tokens.leaver }), 401, "unauthorized");
  });

  it("tokens are prefixed and only their hash is stored", async () => {
    expect(tokens.editor).toMatch(/^rb_[A-Za-z0-9_-]{40,}$/);
    const rows = await getSql()`select token_hash, display_prefix from relayboard.api_tokens`;
    expect(JSON.stringify(rows)).not.toContain(tokens.editor);
  });

  it("refuses a viewer token on write endpoints (403) and a token above its owner's role", async () => {
    expectError(
      await call("slack", "POST", { token: tokens.viewer, body: { webhookUrl: "https://hooks.slack.com/services/T/B/X" } }),
      403,
      "forbidden",
    );
    expectError(await call("run", "POST", { token: tokens.viewer, body: { datasetName: "x" } }), 403, "forbidden");
    const viewer = (await getSql()`select id, email, role from relayboard.users where email = 'api-viewer@example.com'`)[0]!;
    await expect(
      createApiToken({ id: viewer.id, email: viewer.email, role: "viewer" }, { name: "up", role: "editor" }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("answers malformed JSON, wrong content types, unknown fields and oversized bodies with 400/415/413", async () => {
    expectError(await call("slack", "POST", { raw: "{not json" }), 400, "invalid_request");
    expectError(
      await call("slack", "POST", { raw: "webhookUrl=x", contentType: "application/x-www-form-urlencoded" }),
      415,
      "unsupported_media_type",
    );
    const unknown = await call("slack", "POST", { body: { webhookUrl: "https://hooks.slack.com/services/T/B/X", colour: "red" } });
    expectError(unknown, 400, "invalid_request");
    expect(JSON.stringify(unknown.json.error.details)).toMatch(/colour/);
    const invalid = await call("datasetsCsv", "POST", { body: { name: "Bad Name!", csvUrl: "ftp://x" } });
    expectError(invalid, 400, "invalid_request");
    expect(invalid.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["csvUrl", "name"]);
    expectError(
      await call("slack", "POST", { raw: JSON.stringify({ webhookUrl: "x".repeat(2 * 1024 * 1024) }) }),
      413,
      "payload_too_large",
    );
    expectError(await call("datasetsCsv", "POST", { raw: "name,x", contentType: "text/csv" }), 415, "unsupported_media_type");
  });

  it("rate-limits each token per minute with Retry-After", async () => {
    const owner = (await getSql()`select id, email, role from relayboard.users where email = 'api-admin@example.com'`)[0]!;
    const { token, id } = await createApiToken({ id: owner.id, email: owner.email, role: "admin" }, { name: "burst", role: "viewer" });
    await getSql()`insert into relayboard.api_rate_windows (token_id, window_start, count) values (${id}, date_trunc('minute', now()), ${RATE_LIMIT_PER_MINUTE})`;
    const limited = await call("datasets", "GET", { token });
    expectError(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await call("datasets", "GET", { token: tokens.viewer })).status).toBe(200);
  });
});

describe("endpoints", () => {
  it("registers a dataset, adds a destination, runs the pipeline, lists and reads runs", async () => {
    host.files.set("/api_sales.csv", { body: "region,amount\nnorth,10\nsouth,20\n" });
    const created = await call("datasetsCsv", "POST", {
      body: { name: "api_sales", csvUrl: host.url("/api_sales.csv"), options: { loadMode: "replace" } },
    });
    expect(created.status).toBe(201);
    expect(created.json.dataset).toMatchObject({
      name: "api_sales",
      sourceUrl: host.url("/api_sales.csv"),
      latestRunId: expect.any(String),
    });
    expectError(await call("datasetsCsv", "POST", { body: { name: "api_sales", csvUrl: host.url("/api_sales.csv") } }), 409, "conflict");

    const dest = await call("slack", "POST", { body: { webhookUrl: sink.webhookUrl("/services/T1/B1/apiSecretPart"), name: "api sink" } });
    expect(dest.status).toBe(201);
    expect(dest.json.destination).toEqual({
      id: expect.any(String),
      name: "api sink",
      webhookUrlMasked: expect.stringMatching(/\/…\/Part$/),
      default: true,
    });
    expect(JSON.stringify(dest.json)).not.toContain("apiSecret");

    const list = await call("datasets", "GET");
    expect(list.json.datasets.map((d: { name: string }) => d.name)).toContain("api_sales");
    expect((await call("dataset", "GET", { params: { name: "api_sales" } })).json.dataset.id).toBe(created.json.dataset.id);
    expectError(await call("dataset", "GET", { params: { name: "nope" } }), 404, "not_found");

    // The first run is still running (no worker here): a second request waits, a third is refused.
    const second = await call("run", "POST", { body: { datasetName: "api_sales" } });
    expect(second.status).toBe(202);
    expect(second.json.run).toMatchObject({ status: "queued", trigger: "api", steps: [] });
    expectError(await call("run", "POST", { body: { datasetName: "api_sales", force: true } }), 409, "conflict");
    expectError(
      await call("run", "POST", { body: { datasetName: "api_sales", pipelineId: second.json.run.pipelineId } }),
      400,
      "invalid_request",
    );

    const one = await call("runById", "GET", { params: { id: created.json.dataset.latestRunId } });
    expect(one.json.run).toMatchObject({
      id: created.json.dataset.latestRunId,
      status: "running",
      steps: expect.arrayContaining([expect.objectContaining({ name: "fetch", status: "queued" })]),
    });
    expectError(await call("runById", "GET", { params: { id: "not-a-uuid" } }), 400, "invalid_request");
    expectError(await call("runById", "GET", { params: { id: "00000000-0000-4000-8000-000000000000" } }), 404, "not_found");

    const page1 = await call("runs", "GET", { query: "?limit=1" });
    expect(page1.json.runs).toHaveLength(1);
    expect(page1.json.nextCursor).toEqual(expect.any(String));
    const page2 = await call("runs", "GET", { query: `?limit=1&cursor=${page1.json.nextCursor}` });
    expect(page2.json.runs[0].id).not.toBe(page1.json.runs[0].id);
    expectError(await call("runs", "GET", { query: "?cursor=garbage" }), 400, "invalid_request");

    const cancelled = await call("cancel", "POST", { params: { id: second.json.run.id } });
    expect(cancelled.status).toBe(202);
    expect(cancelled.json.run.status).toBe("cancelled");
    expectError(await call("cancel", "POST", { params: { id: second.json.run.id } }), 409, "conflict");

    expect((await call("pipelines", "GET")).json.pipelines.map((p: { name: string }) => p.name)).toContain("api_sales");
    expectError(await call("rows", "GET", { params: { name: "api_sales" }, query: "?limit=5000" }), 400, "invalid_request");
  });

  it("manages models: put with compile errors naming the line, get, build, delete, import", async () => {
    const bad = await call("model", "PUT", {
      params: { name: "api_model" },
      body: { sql: "select region,\n  from {{ ref('api_sales') }}" },
    });
    expectError(bad, 400, "invalid_request");
    expect(bad.json.error.message).toMatch(/line 2/);
    const put = await call("model", "PUT", {
      params: { name: "api_model" },
      body: {
        sql: "select region, amount from {{ ref('api_sales') }}",
        materialization: "table",
        tests: [{ type: "not_null", column: "region" }],
      },
    });
    expect(put.status).toBe(201);
    expect(
      (await call("model", "PUT", { params: { name: "api_model" }, body: { sql: "select region from {{ ref('api_sales') }}" } })).status,
    ).toBe(200);
    const got = await call("model", "GET", { params: { name: "api_model" } });
    expect(got.json.model).toMatchObject({
      name: "api_model",
      materialization: "table",
      revision: 2,
      tests: [{ type: "not_null", column: "region" }],
    });
    expect((await call("models", "GET")).json.models.map((m: { name: string }) => m.name)).toContain("api_model");
    expect((await call("build", "POST", { params: { name: "api_model" }, body: { withDownstream: true } })).status).toBe(202);
    expectError(await call("build", "POST", { params: { name: "ghost" }, body: {} }), 404, "not_found");
    const { zipSync, strToU8 } = await import("fflate");
    const zip = zipSync({ "models/api_imported.sql": strToU8("select 1 as one") });
    const mod = (await routes.importModels()) as unknown as Record<string, Handler>;
    const imported = await mod.POST!(
      new Request("http://127.0.0.1/v1/models/import", {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.editor}`, "content-type": "application/zip" },
        body: zip,
      }),
      { params: Promise.resolve({}) },
    );
    expect(await imported.json()).toEqual({ imported: ["api_imported"], errors: [] });
    expect((await call("model", "DELETE", { params: { name: "api_imported" } })).status).toBe(204);
    expectError(await call("model", "DELETE", { params: { name: "api_imported" } }), 404, "not_found");
  });
});

/** Runs the queued model builds the way the worker does: the payload as sent, through the job's handler. */
async function runQueuedBuilds(): Promise<number> {
  const boss = await getBoss();
  const jobs = (await boss.fetch<unknown>(buildModelsJob.name, { batchSize: 50 })) ?? [];
  for (const job of jobs) {
    const ctx = {
      jobId: job.id,
      workerId: "api-test",
      log: getLogger(),
      signal: new AbortController().signal,
      retryCount: 0,
      isLastAttempt: false,
    };
    await buildModelsHandler.handle(buildModelsJob.schema.parse(job.data), ctx);
    await boss.complete(buildModelsJob.name, job.id);
  }
  return jobs.length;
}

describe("pipelines as code", () => {
  it("creates, reads, changes and deletes a pipeline with an alert condition, in the API's shapes", async () => {
    host.files.set("/api_pac.csv", { body: "day,revenue\n1,100\n2,80\n" });
    const dataset = await call("datasetsCsv", "POST", { body: { name: "api_pac", csvUrl: host.url("/api_pac.csv") } });
    expect(dataset.status).toBe(201);
    const body = {
      name: "revenue watch",
      datasetId: dataset.json.dataset.id,
      scheduleCron: "0 8 * * *",
      scheduleTimezone: "Europe/Zurich",
      deliveries: [
        {
          template: { text: "Revenue dropped", table: { model: "api_pac" } },
          condition: { kind: "percentChange", expression: "sum(revenue)", direction: "down", percent: 20 },
          fire: "on_change_and_recovery",
        },
        { template: { text: "{{digest.added}} new days", table: { model: "api_pac" } }, digest: { key: ["day"] } },
      ],
    };
    expectError(await call("pipelines", "POST", { body, token: tokens.viewer }), 403, "forbidden");
    const created = await call("pipelines", "POST", { body });
    expect(created.status).toBe(201);
    const { pipeline } = created.json;
    expect(pipeline).toMatchObject({ name: "revenue watch", scheduleTimezone: "Europe/Zurich", nextRunAt: expect.any(String) });
    expect(pipeline.deliveries[0]).toMatchObject({
      condition: body.deliveries[0]!.condition,
      fire: "on_change_and_recovery",
      snoozeUntil: null,
      conditionInWords:
        "when sum(revenue) dropped more than 20 % since the last successful run, once each time it becomes true, and when it recovers",
    });
    expect(pipeline.deliveries[1]).toMatchObject({ digest: { key: ["day"], mode: "digest" }, condition: "always" });
    const read = await call("pipeline", "GET", { params: { id: pipeline.id } });
    expect(read.json.pipeline).toEqual(pipeline);
    // What GET answers can be sent back as it is.
    const { id: _id, nextRunAt: _next, isDefault: _default, datasetId: _dataset, ...writable } = read.json.pipeline;
    const same = await call("pipeline", "PUT", { params: { id: pipeline.id }, body: writable });
    expect(same.status).toBe(200);
    expect(same.json.pipeline).toEqual(pipeline);
    // A digest needs a table to compare.
    const tableless = await call("pipeline", "PUT", {
      params: { id: pipeline.id },
      body: { deliveries: [{ template: { text: "x" }, digest: { key: ["day"] } }] },
    });
    expectError(tableless, 400, "invalid_request");
    expect(JSON.stringify(tableless.json.error.details)).toContain("deliveries.0.digest");

    const changed = await call("pipeline", "PUT", {
      params: { id: pipeline.id },
      body: { deliveries: [{ ...body.deliveries[0], fire: "every_run", snoozeUntil: "2030-01-01T09:00:00Z" }] },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.pipeline.deliveries[0]).toMatchObject({ fire: "every_run", snoozeUntil: "2030-01-01T09:00:00Z" });
    expect(changed.json.pipeline.name).toBe("revenue watch");

    const bad = await call("pipeline", "PUT", {
      params: { id: pipeline.id },
      body: {
        deliveries: [
          {
            template: { text: "x", table: { model: "api_pac" } },
            condition: { kind: "aggregate", expression: "sum(revenue)", op: "~", value: 1 },
          },
        ],
      },
    });
    expectError(bad, 400, "invalid_request");
    expect(JSON.stringify(bad.json.error.details)).toContain("deliveries.0.condition");

    expect((await call("pipeline", "DELETE", { params: { id: pipeline.id } })).status).toBe(204);
    expectError(await call("pipeline", "GET", { params: { id: pipeline.id } }), 404, "not_found");
    // A dataset's own pipeline is not deleted through here.
    const own = (await call("pipelines", "GET")).json.pipelines.find((p: { name: string; isDefault: boolean }) => p.name === "api_pac");
    expectError(await call("pipeline", "DELETE", { params: { id: own.id } }), 409, "conflict");
  });
});

describe("uploads", () => {
  const form = (content: string, name?: string) => {
    const fd = new FormData();
    if (name) fd.append("name", name);
    fd.append("file", new Blob([content], { type: "text/csv" }), "v.csv");
    return fd;
  };
  const send = async (route: "datasetsCsv" | "versions", body: FormData, name?: string, token = tokens.editor) => {
    const mod = (await routes[route]()) as unknown as Record<string, Handler>;
    const res = await mod.POST!(
      new Request("http://127.0.0.1:3000/v1/x", { method: "POST", headers: { authorization: `Bearer ${token}` }, body }),
      {
        params: Promise.resolve<Record<string, string>>(name ? { name } : {}),
      },
    );
    return { status: res.status, json: await res.json() };
  };

  it("registers an uploaded dataset and takes a new version of its file (the UI's upload forms use these)", async () => {
    const created = await send("datasetsCsv", form("a,b\n1,2\n", "api_versions"));
    expect(created.status).toBe(201);
    expect(created.json.dataset).toMatchObject({ name: "api_versions", latestRunId: expect.any(String) });
    expect(await send("versions", form("a,b\n1,2\n"), "api_versions")).toEqual({
      status: 200,
      json: { version: { unchanged: true, loadId: null } },
    });
    const changed = await send("versions", form("a,b\n3,4\n"), "api_versions");
    // No worker here: the first load may still be waiting, and then a second one is refused.
    if (changed.status === 409) expectError(changed, 409, "conflict");
    else expect(changed).toEqual({ status: 202, json: { version: { unchanged: false, loadId: expect.any(String) } } });
    expectError(await send("versions", form("a\n1\n"), "api_versions_none"), 404, "not_found");
    expectError(await send("versions", form("a\n1\n"), "api_versions", tokens.viewer), 403, "forbidden");
  });
});

describe("multipart field order", () => {
  const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };
  // Over 1 MiB, Latin-1 with accented text, no header row, `;`-delimited: every option matters.
  const towns = ["Zürich", "Besançon", "Málaga", "Škofja", "Åre", "plain"];
  const lines: string[] = [];
  // Counted as it grows: joining the whole list on every line made this loop take minutes.
  for (let i = 1, length = 0; length < 1.2 * 1024 * 1024; i++) {
    const line = `${i};${towns[i % towns.length]!.replace("Š", "S")} café;${(i * 0.25).toFixed(2)}`;
    lines.push(line);
    length += line.length + 1;
  }
  const latin1 = Buffer.from(lines.join("\n") + "\n", "latin1");
  const options = JSON.stringify({ header: false, encoding: "latin1", delimiter: ";" });

  const post = async (route: "datasetsCsv" | "versions", parts: [string, string | Blob][], params: Record<string, string> = {}) => {
    const fd = new FormData();
    for (const [key, value] of parts) {
      if (typeof value === "string") fd.append(key, value);
      else fd.append(key, value, "towns.csv");
    }
    const mod = (await routes[route]()) as unknown as Record<string, Handler>;
    const res = await mod.POST!(
      new Request("http://127.0.0.1:3000/v1/x", { method: "POST", headers: { authorization: `Bearer ${tokens.editor}` }, body: fd }),
      { params: Promise.resolve(params) },
    );
    return { status: res.status, json: await res.json() };
  };
  const file = () => new Blob([latin1], { type: "text/csv" });

  /** Loads the dataset's first version as the worker would, and answers what it holds. */
  async function loaded(name: string) {
    const [dataset] = await getSql()`select id from relayboard.datasets where name = ${name}`;
    const [load] = await getSql()`select id from relayboard.dataset_loads where dataset_id = ${dataset!.id}`;
    await runDatasetLoad(load!.id, ctx);
    const after = (await getDatasetLoad(load!.id))!;
    const view = (await call("dataset", "GET", { params: { name } })).json.dataset;
    const data = view.columns.map((c: { name: string }) => `"${c.name}"`).join(", ");
    if (!data) return { status: after.status, error: after.error, rowCount: view.rowCount, columns: view.columns };
    const [digest] = await getSql().unsafe(
      `select count(*)::int as n, md5(string_agg(t::text, '|' order by line)) as md5,
              (array_agg(t::text order by line))[1] as first
         from (select _rb_line as line, ${data} from warehouse."${name}") t`,
    );
    return {
      status: after.status,
      error: after.error,
      rowCount: view.rowCount,
      columns: view.columns,
      n: digest!.n,
      first: digest!.first,
      md5: digest!.md5,
    };
  }

  it("applies `name` and `options` sent after a file over 1 MiB exactly as when they come first", async () => {
    expect(latin1.byteLength).toBeGreaterThan(1024 * 1024);
    const first = await post("datasetsCsv", [
      ["name", "order_first"],
      ["options", options],
      ["file", file()],
    ]);
    expect(first.status).toBe(201);
    const last = await post("datasetsCsv", [
      ["file", file()],
      ["options", options],
      ["name", "order_last"],
    ]);
    expect(last.status).toBe(201);
    expect(last.json.dataset).toMatchObject({ name: "order_last", versions: [{ bytes: latin1.byteLength }] });
    // The order of the issue: the name before the file, only the options after it.
    const optionsLast = await post("datasetsCsv", [
      ["name", "order_options_last"],
      ["file", file()],
      ["options", options],
    ]);
    expect(optionsLast.status).toBe(201);

    const a = await loaded("order_first");
    expect(a).toMatchObject({ status: "succeeded", error: null, rowCount: lines.length, n: lines.length });
    expect(a.columns).toHaveLength(3);
    expect(a.first).toContain("Besançon café"); // row 1 is data (header: false), decoded as Latin-1
    expect(await loaded("order_last")).toEqual(a);
    expect(await loaded("order_options_last")).toEqual(a);
  });

  it("refuses a late field it cannot honour with a 400 and keeps nothing", async () => {
    const badJson = await post("datasetsCsv", [
      ["name", "order_bad_json"],
      ["file", file()],
      ["options", "{header:false"],
    ]);
    expectError(badJson, 400, "invalid_request");
    expect(badJson.json.error.message).toMatch(/options/);
    const unknown = await post("datasetsCsv", [
      ["name", "order_unknown"],
      ["file", file()],
      ["header", "false"],
    ]);
    expectError(unknown, 400, "invalid_request");
    expect(unknown.json.error.message).toMatch(/"header"/);
    const twice = await post("datasetsCsv", [
      ["name", "order_twice"],
      ["file", file()],
      ["name", "order_twice_again"],
    ]);
    expectError(twice, 400, "invalid_request");
    const noName = await post("datasetsCsv", [["file", file()]]);
    expectError(noName, 400, "invalid_request");
    const taken = await post("datasetsCsv", [
      ["file", file()],
      ["name", "order_first"],
    ]);
    expectError(taken, 409, "conflict");
    const names = ["order_bad_json", "order_unknown", "order_twice", "order_twice_again"];
    expect(await getSql()`select name from relayboard.datasets where name in ${getSql()(names)}`).toEqual([]);

    // A new version loads with the dataset's options: an `options` field there is refused, before or after the file.
    for (const parts of [
      [
        ["options", options],
        ["file", file()],
      ],
      [
        ["file", new Blob(["other\n"])],
        ["options", options],
      ],
    ] as [string, string | Blob][][]) {
      expectError(await post("versions", parts, { name: "order_first" }), 400, "invalid_request");
    }
    const versions = (await call("dataset", "GET", { params: { name: "order_first" } })).json.dataset.versions;
    expect(versions).toHaveLength(1);
  });
});

describe("POSTs that need no body, and following a build", () => {
  const url = "http://127.0.0.1:3000/v1/models/api_nobody/build";
  const post = async (headers: Record<string, string>, body?: string) => {
    const mod = (await routes.build()) as unknown as Record<string, Handler>;
    const res = await mod.POST!(
      new Request(url, { method: "POST", headers: { authorization: `Bearer ${tokens.editor}`, ...headers }, body }),
      {
        params: Promise.resolve({ name: "api_nobody" }),
      },
    );
    return { status: res.status, json: await res.json() };
  };

  it("queues a build with no body, with or without a Content-Type, and answers its id and poll URL (202)", async () => {
    expect((await call("model", "PUT", { params: { name: "api_nobody" }, body: { sql: "select 1 as one" } })).status).toBe(201);
    for (const [headers, body] of [
      [{}, undefined],
      [{ "content-type": "application/json" }, undefined],
      [{ "content-type": "application/json" }, ""],
      [{ "content-type": "text/plain" }, ""],
    ] as const) {
      const res = await post(headers, body);
      expect(res.status, JSON.stringify(headers)).toBe(202);
      expect(res.json).toEqual({
        build: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          model: "api_nobody",
          withDownstream: false,
          status: "queued",
          url: `/v1/models/api_nobody/builds/${res.json.build.id}`,
        },
      });
    }
    // A body is still read when one is sent, and must still be JSON.
    expect((await post({ "content-type": "application/json" }, JSON.stringify({ withDownstream: true }))).json.build.withDownstream).toBe(
      true,
    );
    expectError(await post({}, "withDownstream=true"), 415, "unsupported_media_type");
    // Other POSTs without a body: cancel takes none; run needs a pipeline, so that is a 400, not a 415.
    expectError(await call("run", "POST", {}), 400, "invalid_request");
    await runQueuedBuilds();
  });

  it("follows a build from queued to succeeded, with test results, and a failing one to failed, with the error", async () => {
    await call("model", "PUT", {
      params: { name: "api_follow" },
      body: { sql: "select 1 as one", materialization: "table", tests: [{ type: "not_null", column: "one" }] },
    });
    await call("model", "PUT", {
      params: { name: "api_broken" },
      body: { sql: "select 1 / (select count(*) from (select 1 where false) z) as boom", materialization: "table" },
    });
    const ok = await call("build", "POST", { params: { name: "api_follow" } });
    const bad = await call("build", "POST", { params: { name: "api_broken" } });
    expect([ok.status, bad.status]).toEqual([202, 202]);
    const poll = async (build: { id: string; url: string }, model: string, token = tokens.viewer) => {
      expect(build.url).toBe(`/v1/models/${model}/builds/${build.id}`);
      return call("buildById", "GET", { token, params: { name: model, id: build.id } });
    };

    const queued = await poll(ok.json.build, "api_follow");
    expect(queued.status).toBe(200);
    expect(queued.json.build).toMatchObject({
      id: ok.json.build.id,
      model: "api_follow",
      status: "queued",
      builds: [{ model: "api_follow", status: "queued" }],
    });

    expect(await runQueuedBuilds()).toBeGreaterThanOrEqual(2);

    const done = await poll(ok.json.build, "api_follow");
    expect(done.json.build).toMatchObject({
      status: "succeeded",
      tests: { passed: 1, failed: 0 },
      builds: [
        {
          model: "api_follow",
          status: "succeeded",
          rows: 1,
          error: null,
          testResults: [expect.objectContaining({ type: "not_null", status: "passed" })],
        },
      ],
    });
    const failed = await poll(bad.json.build, "api_broken");
    expect(failed.json.build).toMatchObject({
      status: "failed",
      builds: [{ model: "api_broken", status: "failed", error: { message: expect.stringMatching(/division by zero/) } }],
    });

    // A second run of the same job (a retry, a killed worker) reuses the batch's rows.
    await buildModelsHandler.handle(
      { names: ["api_follow"], withDownstream: false, batchId: ok.json.build.id },
      { jobId: "again", workerId: "api-test", log: getLogger(), signal: new AbortController().signal, retryCount: 1, isLastAttempt: true },
    );
    expect((await poll(ok.json.build, "api_follow")).json.build).toMatchObject({ status: "succeeded", builds: [{ model: "api_follow" }] });
    expect((await getSql()`select count(*)::int as n from relayboard.model_builds where batch_id = ${ok.json.build.id}`)[0]!.n).toBe(1);

    // The id belongs to one model; unknown ids and names are 404s, and a viewer may read but not build.
    expectError(await call("buildById", "GET", { params: { name: "api_broken", id: ok.json.build.id } }), 404, "not_found");
    expectError(
      await call("buildById", "GET", { params: { name: "api_follow", id: "00000000-0000-4000-8000-000000000000" } }),
      404,
      "not_found",
    );
    expectError(await call("buildById", "GET", { params: { name: "api_follow", id: "nope" } }), 400, "invalid_request");
    expectError(await call("buildById", "GET", { token: null, params: { name: "api_follow", id: ok.json.build.id } }), 401, "unauthorized");
    expectError(await call("build", "POST", { token: tokens.viewer, params: { name: "api_follow" } }), 403, "forbidden");
  });
});

describe("OpenAPI", () => {
  it("validates as OpenAPI 3.1 and lists every route in app/v1 with its methods", async () => {
    const served = await call("openapi", "GET", { token: tokens.viewer });
    expect(served.status).toBe(200);
    const doc = buildOpenApiDocument();
    await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)));
    expect(doc.openapi).toBe("3.1.0");

    const v1 = path.join(REPO_ROOT, "app", "v1");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === "route.ts") files.push(full);
      }
    };
    walk(v1);
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const file of files) {
      const route =
        "/v1/" +
        path
          .relative(v1, path.dirname(file))
          .split(path.sep)
          .map((p) => p.replace(/^\[(.+)\]$/, "{$1}"))
          .join("/");
      const source = fs.readFileSync(file, "utf8");
      const methods = [...source.matchAll(/export (?:const|async function) (GET|POST|PUT|DELETE|PATCH)\b/g)].map((m) =>
        m[1]!.toLowerCase(),
      );
      expect(methods.length, file).toBeGreaterThan(0);
      for (const method of methods) {
        expect((doc.paths as Record<string, Record<string, unknown>>)[route]?.[method], `${method.toUpperCase()} ${route}`).toBeDefined();
      }
    }
  });
});
