import Link from "next/link";
import { TriangleAlertIcon } from "lucide-react";
import { getLogger } from "@/lib/log";
import { judgeFreshness, type FreshnessVerdict } from "@/lib/ingest/freshness";
import { listDatasetsWithFreshness } from "@/db/queries/datasets";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FreshnessBadge } from "@/components/freshness-badge";

type Stale = { name: string; verdict: FreshnessVerdict & { state: "warn" | "error" } };

async function listStale(now: Date): Promise<Stale[]> {
  try {
    const rows = await listDatasetsWithFreshness();
    return rows
      .map(({ dataset, changedAt }) => ({ name: dataset.name, verdict: judgeFreshness(dataset.freshness, changedAt, now) }))
      .filter((s): s is Stale => s.verdict.state === "warn" || s.verdict.state === "error")
      .sort((a, b) => (a.verdict.state === b.verdict.state ? a.name.localeCompare(b.name) : a.verdict.state === "error" ? -1 : 1));
  } catch (err) {
    // The service status above already says when the database is down; this card just stays away.
    getLogger().warn({ err }, "dashboard: stale datasets could not be read");
    return [];
  }
}

/** Datasets past a freshness threshold, judged now against their current version; nothing when none is. */
export async function StaleDatasets() {
  const stale = await listStale(new Date());
  if (stale.length === 0) return null;
  return (
    <Card className="gap-3" data-testid="stale-datasets">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <TriangleAlertIcon className="size-4 text-amber-600" aria-hidden="true" />
          <h2>Stale datasets</h2>
        </CardTitle>
        <CardDescription>Their content has not changed for longer than their freshness thresholds allow.</CardDescription>
      </CardHeader>
      <CardContent>
        <ul className="flex flex-col divide-y">
          {stale.map(({ name, verdict }) => (
            <li key={name} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 first:pt-0 last:pb-0" data-state={verdict.state}>
              <FreshnessBadge state={verdict.state} />
              <Link
                href={`/datasets/${encodeURIComponent(name)}`}
                className="text-primary rounded-sm font-mono text-sm underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                {name}
              </Link>
              <span className="text-muted-foreground text-sm">{verdict.reason}</span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
