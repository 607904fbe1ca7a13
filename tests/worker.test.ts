import { afterAll, describe, expect, it } from "vitest";
import { PgBoss } from "pg-boss";
import { closeDb } from "@/db";
import { getLatestProcessedProbe, insertQueueProbe } from "@/db/queries/system";
import { queueProbeJob } from "@/lib/queue/jobs";
import { bossOptions } from "@/lib/queue/boss";
import { cleanEnv, startWorkerProcess, waitFor } from "./helpers/processes";

afterAll(() => closeDb());

describe("npm run worker", () => {
  it("processes jobs from the queue and exits cleanly on SIGTERM within 30 s", async () => {
    const url = process.env.DATABASE_URL!;
    const { child, output } = startWorkerProcess(cleanEnv({ DATABASE_URL: url, DATA_DIR: process.env.DATA_DIR! }));
    try {
      await waitFor(() => output().includes("worker ready"), 60_000, "worker ready");

      const boss = new PgBoss(bossOptions(url, "web"));
      await boss.start();
      const probeId = await insertQueueProbe();
      await boss.send(queueProbeJob.name, { probeId });
      await boss.stop({ graceful: false, close: true });

      const processed = await waitFor(
        async () => {
          const latest = await getLatestProcessedProbe();
          return latest?.processedAt ? latest : null;
        },
        20_000,
        "the worker to process the probe",
      );
      expect(processed.workerId).toMatch(/:\d+:/);

      const started = Date.now();
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      const code = await exited;
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(output()).toContain("worker stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 120_000);
});
