import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { closeDb, getSql } from "@/db";
import { getDatasetById, getDatasetLoad } from "@/db/queries/datasets";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import { registerUploadedDataset, uploadDatasetVersion } from "@/lib/ingest/upload";
import { UPLOAD_THREAD_ENTRY, uploadThreadsStarted, setUploadThreadEntry } from "@/lib/ingest/upload-speculation";
import { ensureBundle } from "@/jobs/bundle.mjs";

/**
 * A large upload's speculative load runs in a worker thread of the web process
 * (lib/ingest/upload-speculation.ts), from the bundle scripts/web-server.ts makes. The thread must
 * stage exactly what the in-process load stages, leave nothing behind when its work is thrown
 * away, and never fail an upload when it cannot run.
 */

let actor: { id: string };
let outDir: string;
let bundle: string;
const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };

beforeAll(async () => {
  process.env.MAX_SOURCE_BYTES = String(100 * 1024 * 1024);
  resetEnvForTests();
  actor = await createUser({ email: "thread@example.com", password: "long enough pw", role: "editor" });
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), "rb-upload-thread-"));
  // In the repository's .build, as the web server makes it: the bundle's packages resolve from node_modules.
  bundle = ensureBundle({ root: process.cwd(), entry: UPLOAD_THREAD_ENTRY, name: "upload-thread" }).bundle;
});

afterEach(() => setUploadThreadEntry(null));

afterAll(async () => {
  setUploadThreadEntry(null);
  fs.rmSync(outDir, { recursive: true, force: true });
  await closeDb();
});

/** A CSV of `rows` rows (≈ 40 bytes each), in 64 KiB pieces as a socket delivers them. */
function csv(rows: number, seed = 0): { bytes: Buffer; pieces: () => Readable } {
  const lines = ["id,code,amount,day"];
  for (let i = 1; i <= rows; i++)
    lines.push(`${i},${String((i * 7 + seed) % 100000).padStart(5, "0")},${i}.5,2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
  const bytes = Buffer.from(lines.join("\n") + "\n");
  const pieces = () =>
    Readable.from(Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, k) => bytes.subarray(k * 65536, (k + 1) * 65536)));
  return { bytes, pieces };
}

async function leftoverScratchTables(): Promise<string[]> {
  const rows = await getSql()`
    select schemaname || '.' || tablename as name from pg_tables
    where schemaname in ('staging', 'warehouse') and (tablename like '\\_rb\\_load\\_%' or tablename like '\\_rb\\_typed\\_%')`;
  return rows.map((r) => r.name as string);
}

describe("uploads loaded in a worker thread", () => {
  it("a large upload is staged by the thread, exactly as in-process, and the load applies it", async () => {
    const file = csv(200_000); // ≈ 6 MiB: past the 4 MiB the request thread holds first
    setUploadThreadEntry(bundle);
    const before = uploadThreadsStarted();
    const threaded = await registerUploadedDataset({ name: "thread_big", fileName: "big.csv" }, file.pieces(), actor);
    expect(uploadThreadsStarted()).toBe(before + 1);
    expect(threaded.load.staged).toMatchObject({ versionNumber: 1, rows: 200_000 });

    setUploadThreadEntry(null);
    const local = await registerUploadedDataset({ name: "thread_big_local", fileName: "big.csv" }, file.pieces(), actor);
    expect(uploadThreadsStarted()).toBe(before + 1);
    // The same staging, but for the names of the load's own tables.
    const unnamed = (staged: unknown) => JSON.parse(JSON.stringify(staged), (key, value: unknown) => (key === "table" ? "…" : value));
    expect(unnamed(threaded.load.staged)).toEqual(unnamed(local.load.staged));

    for (const { load, dataset } of [threaded, local]) {
      await runDatasetLoad(load.id, ctx);
      expect(await getDatasetLoad(load.id)).toMatchObject({ status: "succeeded", rowsLoaded: 200_000 });
      expect((await getDatasetById(dataset.id))!.columns.map((c) => [c.name, c.inferredType])).toEqual([
        ["id", "bigint"],
        ["code", "text"],
        ["amount", "numeric"],
        ["day", "date"],
      ]);
    }
    const differ = await getSql().unsafe(`
      (select id, code, amount, day from warehouse.thread_big except all select id, code, amount, day from warehouse.thread_big_local)
      union all
      (select id, code, amount, day from warehouse.thread_big_local except all select id, code, amount, day from warehouse.thread_big)`);
    expect(differ).toHaveLength(0);
    const [last] = await getSql().unsafe(`select _rb_line::int as line, code from warehouse.thread_big order by _rb_line desc limit 1`);
    expect(last).toMatchObject({ line: 200_001, code: String((200_000 * 7) % 100000).padStart(5, "0") });
    expect(await leftoverScratchTables()).toEqual([]);
  });

  it("a small upload is loaded in-process (no thread), a gzipped large one in the thread", async () => {
    setUploadThreadEntry(bundle);
    const before = uploadThreadsStarted();
    const small = await registerUploadedDataset({ name: "thread_small" }, csv(1_000).pieces(), actor);
    expect(uploadThreadsStarted()).toBe(before);
    expect(small.load.staged).toMatchObject({ rows: 1_000 });
    await runDatasetLoad(small.load.id, ctx);
    expect(await getDatasetLoad(small.load.id)).toMatchObject({ status: "succeeded", rowsLoaded: 1_000 });

    // What counts is the bytes that come in, compressed or not.
    const gz = zlib.gzipSync(csv(500_000, 3).bytes, { level: 1 });
    expect(gz.length).toBeGreaterThan(4 * 1024 * 1024);
    const zipped = await registerUploadedDataset({ name: "thread_gz" }, Readable.from([gz]), actor);
    expect(uploadThreadsStarted()).toBe(before + 1);
    expect(zipped.load.staged).toMatchObject({ rows: 500_000 });
    await runDatasetLoad(zipped.load.id, ctx);
    expect(await getDatasetLoad(zipped.load.id)).toMatchObject({ status: "succeeded", rowsLoaded: 500_000 });
  });

  it("work thrown away (the same content again) leaves no scratch table, and the thread ends", async () => {
    setUploadThreadEntry(bundle);
    const file = csv(200_000, 5);
    const first = await registerUploadedDataset({ name: "thread_again" }, file.pieces(), actor);
    await runDatasetLoad(first.load.id, ctx);
    const before = uploadThreadsStarted();
    const again = await uploadDatasetVersion(first.dataset.id, file.pieces(), actor);
    expect(again).toEqual({ load: null, unchanged: true });
    expect(uploadThreadsStarted()).toBe(before + 1);
    expect(await leftoverScratchTables()).toEqual([]);
    // The thread ends, and its connections with it.
    const threadConnections = async () =>
      (await getSql()`select count(*)::int as n from pg_stat_activity where application_name = 'relayboard upload thread'`)[0]!.n;
    await expect.poll(threadConnections, { timeout: 10_000 }).toBe(0);
  });

  it("a thread that cannot run only switches speculation off: the upload is kept and loads from storage", async () => {
    const broken = path.join(outDir, "broken.cjs");
    fs.writeFileSync(broken, "throw new Error('this bundle is broken');\n");
    setUploadThreadEntry(broken);
    const file = csv(200_000, 9);
    const { dataset, load } = await registerUploadedDataset({ name: "thread_broken" }, file.pieces(), actor);
    expect(load.staged).toBeNull();
    await runDatasetLoad(load.id, ctx);
    expect(await getDatasetLoad(load.id)).toMatchObject({ status: "succeeded", rowsLoaded: 200_000 });
    expect((await getDatasetById(dataset.id))!.rowCount).toBe(200_000);
    expect(await leftoverScratchTables()).toEqual([]);
  });
});
