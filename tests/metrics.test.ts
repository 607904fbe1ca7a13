import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { resetEnvForTests } from "@/lib/env";

afterAll(async () => {
  delete process.env.METRICS_TOKEN;
  resetEnvForTests();
  await closeDb();
});

async function scrape(authorization?: string) {
  const { GET } = await import("@/app/metrics/route");
  const res = await GET(new Request("http://127.0.0.1/metrics", { headers: authorization ? { authorization } : {} }));
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}

describe("GET /metrics", () => {
  it("is off by default, needs the token when on, and exposes run, step, delivery and queue figures", async () => {
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
    expect((await scrape()).status).toBe(404);

    process.env.METRICS_TOKEN = "metrics-token-for-tests-0001";
    resetEnvForTests();
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong-token-wrong-token")).status).toBe(401);

    await getSql()`insert into relayboard.queue_probes default values`;
    const ok = await scrape("Bearer metrics-token-for-tests-0001");
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/text\/plain/);
    for (const name of [
      "relayboard_runs",
      "relayboard_step_duration_seconds",
      "relayboard_rows_loaded_total",
      "relayboard_deliveries",
      "relayboard_queue_depth",
      "relayboard_queue_oldest_job_age_seconds",
      "relayboard_workers_online",
    ]) {
      expect(ok.text).toContain(`# TYPE ${name}`);
    }
  });
});
