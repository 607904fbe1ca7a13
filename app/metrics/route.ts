import crypto from "node:crypto";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/log";
import { renderMetrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** Prometheus text format. Off (404) unless METRICS_TOKEN is set; then it needs that Bearer token. */
export async function GET(request: Request) {
  const token = getEnv().metricsToken;
  if (!token) return new Response("metrics are disabled; set METRICS_TOKEN to enable them\n", { status: 404 });
  const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!sameSecret(presented, token)) return new Response("unauthorized\n", { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  try {
    const { contentType, body } = await renderMetrics();
    return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
  } catch (err) {
    getLogger().error({ err }, "metrics failed");
    return new Response("metrics unavailable\n", { status: 503 });
  }
}
