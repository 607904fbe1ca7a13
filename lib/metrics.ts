import { Gauge, Histogram, Registry } from "prom-client";
import { getSql } from "@/db";
import { listQueueBacklogs } from "@/lib/queue/boss-adapter";

/**
 * Prometheus metrics, read from Postgres at scrape time: the web process serving /metrics is not
 * the worker doing the work, and the database is where both meet. A fresh registry per scrape
 * keeps every figure exactly what the database says now.
 */
const STEP_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const sql = getSql();
  const registry = new Registry();
  const runs = new Gauge({ name: "relayboard_runs", help: "Runs by status", labelNames: ["status"], registers: [registry] });
  for (const row of await sql`select status, count(*)::int as n from relayboard.runs group by status`)
    runs.set({ status: row.status as string }, row.n as number);

  const steps = new Histogram({
    name: "relayboard_step_duration_seconds",
    help: "Finished step durations over the last 7 days",
    labelNames: ["step", "status"],
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const durations = await sql`
    select name, status, extract(epoch from (finished_at - started_at))::float8 as seconds
    from relayboard.run_steps
    where finished_at is not null and started_at is not null and finished_at > now() - interval '7 days'
    order by finished_at desc limit 50000`;
  for (const row of durations) steps.observe({ step: row.name as string, status: row.status as string }, Number(row.seconds));

  const rows = new Gauge({ name: "relayboard_rows_loaded_total", help: "Rows loaded by successful loads", registers: [registry] });
  const [loaded] = await sql`select coalesce(sum(rows_loaded), 0)::float8 as n from relayboard.dataset_loads where status = 'succeeded'`;
  rows.set(Number(loaded?.n ?? 0));

  const deliveries = new Gauge({
    name: "relayboard_deliveries",
    help: "Slack deliveries by outcome",
    labelNames: ["status", "kind"],
    registers: [registry],
  });
  for (const row of await sql`select status, kind, count(*)::int as n from relayboard.deliveries group by status, kind`) {
    deliveries.set({ status: row.status as string, kind: row.kind as string }, row.n as number);
  }

  const depth = new Gauge({
    name: "relayboard_queue_depth",
    help: "Jobs waiting in the queue",
    labelNames: ["queue"],
    registers: [registry],
  });
  const oldest = new Gauge({
    name: "relayboard_queue_oldest_job_age_seconds",
    help: "Age of the oldest waiting job",
    labelNames: ["queue"],
    registers: [registry],
  });
  for (const backlog of await listQueueBacklogs(sql)) {
    depth.set({ queue: backlog.queue }, backlog.waiting);
    oldest.set({ queue: backlog.queue }, backlog.oldestAgeSeconds);
  }
  const workers = new Gauge({
    name: "relayboard_workers_online",
    help: "Workers heard from in the last 30 seconds",
    registers: [registry],
  });
  const [online] =
    await sql`select count(*)::int as n from relayboard.workers where stopped_at is null and last_seen_at > now() - interval '30 seconds'`;
  workers.set(online?.n ?? 0);

  return { contentType: registry.contentType, body: await registry.metrics() };
}
