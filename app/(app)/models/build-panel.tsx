"use client";

import { useCallback, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { BuildResult } from "@/components/models/build-result";
import { BuildStatusBadge } from "@/components/models/build-status-badge";
import { isBuildActive, type BuildView } from "@/components/models/build-view";
import { useLiveStatus } from "@/components/live-status/use-live-status";
import { formatCount } from "@/lib/format";
import { testCounts } from "@/lib/transform/test-severity";

/** After this long without a build row, the worker is probably not running: say so. */
const NO_WORKER_HINT_MS = 15_000;

type Watch = { previousId: string | null; since: number };

/**
 * The newest build of a model, live: after a build is requested (or while one is running when the
 * page opens) this polls the latest-build route every second (useLiveStatus) until the build and
 * its batch have finished, then refreshes the page once so lists and completions catch up.
 */
export function useLatestBuild(name: string, initial: { build: BuildView | null; batch: BuildView[] }) {
  const router = useRouter();
  const [build, setBuild] = useState(initial.build);
  const [batch, setBatch] = useState(initial.batch);
  const [watch, setWatch] = useState<Watch | null>(() =>
    initial.build && (isBuildActive(initial.build.status) || initial.batch.some((b) => isBuildActive(b.status)))
      ? { previousId: null, since: Date.now() }
      : null,
  );
  // True from the request until the worker has created the build row.
  const [awaitingWorker, setAwaitingWorker] = useState(false);
  const [slow, setSlow] = useState(false);

  useLiveStatus<{ build: BuildView | null; batch: BuildView[] }>({
    url: `/api/models/${encodeURIComponent(name)}/latest-build`,
    enabled: watch !== null,
    onData: (body) => {
      if (!watch) return "stop";
      const fresh = body.build && body.build.id !== watch.previousId ? body.build : null;
      if (fresh) {
        setAwaitingWorker(false);
        setSlow(false);
        setBuild(fresh);
        setBatch(body.batch);
        const done = !isBuildActive(fresh.status) && body.batch.every((b) => !isBuildActive(b.status));
        if (done) {
          setWatch(null);
          announce(fresh);
          router.refresh();
          return "stop";
        }
      } else if (Date.now() - watch.since > NO_WORKER_HINT_MS) {
        setSlow(true);
      }
    },
    onGone: () => {
      setWatch(null);
      setAwaitingWorker(false);
      router.refresh();
    },
  });

  const follow = useCallback((previousId: string | null) => {
    setAwaitingWorker(true);
    setSlow(false);
    setWatch({ previousId, since: Date.now() });
  }, []);

  return { build, batch, following: watch !== null, awaitingWorker, slow, follow };
}

function announce(build: BuildView) {
  if (build.status === "succeeded") {
    const { warned, failed } = testCounts(build.testResults);
    if (failed)
      toast.warning(`Built ${build.modelName}: ${formatCount(build.rows)} rows, ${failed} ${failed === 1 ? "test" : "tests"} failed`);
    else if (warned)
      toast.warning(`Built ${build.modelName}: ${formatCount(build.rows)} rows, ${warned} ${warned === 1 ? "test" : "tests"} warned`);
    else toast.success(`Built ${build.modelName}: ${formatCount(build.rows)} rows`);
  } else if (build.status === "failed") toast.error(`The build of ${build.modelName} failed`);
  else if (build.status === "skipped") toast.warning(`The build of ${build.modelName} was skipped`);
}

/** The last build (live while one runs) and, for a batch, the other models built with it. */
export function BuildPanel({
  name,
  build,
  batch,
  awaitingWorker,
  slow,
  timeoutSeconds,
  columns,
}: {
  /** The model's columns in order, for its failing-row samples. */
  columns?: readonly string[];
  name: string;
  build: BuildView | null;
  batch: BuildView[];
  awaitingWorker: boolean;
  slow: boolean;
  /** The server's per-statement limit for builds, previews and tests. */
  timeoutSeconds?: number;
}) {
  const others = batch.filter((b) => b.modelName !== name);
  return (
    <div className="flex flex-col gap-4">
      {timeoutSeconds ? (
        <p className="text-muted-foreground text-xs" data-testid="build-timeout">
          A build, preview or test stops after {formatTimeout(timeoutSeconds)} (MODEL_STATEMENT_TIMEOUT_SECONDS); two builds run at once.
        </p>
      ) : null}
      {awaitingWorker ? (
        <div className="flex flex-col gap-2">
          <div>
            <BuildStatusBadge status="queued" testId="build-status" />
          </div>
          <p className="text-muted-foreground text-sm">
            {slow
              ? "No worker has started this build yet. Is a worker running? (npm run worker)"
              : "Queued; waiting for a worker to start the build…"}
          </p>
        </div>
      ) : (
        <BuildResult build={build} columns={columns} />
      )}
      {!awaitingWorker && others.length ? (
        <section className="flex flex-col gap-2" aria-labelledby="batch-heading">
          <h3 id="batch-heading" className="text-sm font-semibold">
            Built with it ({others.length})
          </h3>
          <ul className="flex flex-col gap-1.5 text-sm" data-testid="build-batch">
            {others.map((b) => (
              <li key={b.id} className="flex flex-wrap items-center gap-2">
                <BuildStatusBadge status={b.status} tests={testCounts(b.testResults)} />
                <Link href={`/models/${encodeURIComponent(b.modelName)}`} className="font-medium underline-offset-4 hover:underline">
                  {b.modelName}
                </Link>
                {b.status === "succeeded" ? <span className="text-muted-foreground tabular-nums">{formatCount(b.rows)} rows</span> : null}
                {b.status === "failed" && b.error ? <span className="text-destructive break-words">{b.error.message}</span> : null}
                {b.status === "skipped" && b.skippedBecause ? <span className="text-muted-foreground">{b.skippedBecause}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

function formatTimeout(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
