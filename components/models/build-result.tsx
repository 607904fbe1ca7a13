import { CircleAlertIcon } from "lucide-react";
import type { TestResult } from "@/db/schema/models";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { BuildStatusBadge } from "./build-status-badge";
import { testCounts } from "@/lib/transform/test-severity";
import { buildMoment, type BuildView } from "./build-view";
import { cellText } from "./format";
import { durationBetween, formatCount, formatDateTime, formatDuration } from "@/lib/format";
import { ResultsTable } from "./results-table";

/**
 * One build in full: status (data-testid="build-status"), rows, duration, the error or skip
 * reason, and every data test with a sample of its failing rows.
 */
export function BuildResult({
  build,
  headingLevel = 3,
  columns = [],
}: {
  build: BuildView | null;
  headingLevel?: 3 | 4;
  /** The model's columns in order: failing-row samples show theirs in this order. */
  columns?: readonly string[];
}) {
  if (!build) {
    return (
      <div className="flex flex-col gap-2">
        <div>
          <BuildStatusBadge status={null} testId="build-status" />
        </div>
        <p className="text-muted-foreground text-sm">This model has not been built yet.</p>
      </div>
    );
  }
  const Heading = headingLevel === 3 ? "h3" : "h4";
  const duration = durationBetween(build.startedAt, build.finishedAt);
  const moment = buildMoment(build);
  return (
    <div className="flex flex-col gap-4">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-4">
        <div className="flex flex-col gap-1">
          <dt className="text-muted-foreground">Status</dt>
          <dd>
            <BuildStatusBadge status={build.status} testId="build-status" tests={testCounts(build.testResults)} />
          </dd>
        </div>
        <div className="flex flex-col gap-1">
          <dt className="text-muted-foreground">Rows</dt>
          <dd className="tabular-nums" data-testid="build-rows">
            {formatCount(build.rows)}
          </dd>
        </div>
        <div className="flex flex-col gap-1">
          <dt className="text-muted-foreground">Duration</dt>
          <dd className="tabular-nums" data-testid="build-duration">
            {formatDuration(duration)}
          </dd>
        </div>
        <div className="flex flex-col gap-1">
          <dt className="text-muted-foreground">{build.finishedAt ? "Finished" : build.startedAt ? "Started" : "Queued"}</dt>
          <dd>
            <time dateTime={moment}>{formatDateTime(new Date(moment))}</time>
          </dd>
        </div>
      </dl>

      {build.status === "failed" && build.error ? (
        <Alert variant="destructive" data-testid="build-error">
          <CircleAlertIcon aria-hidden="true" />
          <AlertTitle>The build failed</AlertTitle>
          <AlertDescription>
            <p className="break-words whitespace-pre-wrap">{build.error.message}</p>
            {build.error.detail ? <p className="break-words whitespace-pre-wrap">{build.error.detail}</p> : null}
          </AlertDescription>
        </Alert>
      ) : null}
      {build.status === "skipped" && build.skippedBecause ? (
        <p className="text-muted-foreground text-sm">Skipped: {build.skippedBecause}.</p>
      ) : null}

      {build.testResults.length ? <TestResults results={build.testResults} Heading={Heading} columns={columns} /> : null}
    </div>
  );
}

const TEST_STATUS_LABELS: Record<TestResult["status"], string> = { passed: "Passed", warned: "Warned", failed: "Failed", error: "Error" };

function TestResults({ results, Heading, columns }: { results: readonly TestResult[]; Heading: "h3" | "h4"; columns: readonly string[] }) {
  const { passed, warned, failed } = testCounts(results);
  return (
    <section className="flex flex-col gap-2" data-testid="test-results">
      <Heading className="text-sm font-semibold">
        Data tests: {passed} passed{warned ? `, ${warned} warned` : ""}
        {failed ? `, ${failed} failed` : ""}
      </Heading>
      <ul className="flex flex-col gap-2">
        {results.map((result, i) => (
          <li key={`${result.name}-${i}`} className="rounded-md border p-3 text-sm" data-testid="test-result" data-status={result.status}>
            <div className="flex flex-wrap items-center gap-2">
              <Badge
                variant={result.status === "passed" || result.status === "warned" ? "outline" : "destructive"}
                className={
                  result.status === "passed"
                    ? "border-emerald-600/40 text-emerald-800 dark:text-emerald-300"
                    : result.status === "warned"
                      ? "border-amber-600/50 text-amber-800 dark:text-amber-300"
                      : undefined
                }
              >
                {TEST_STATUS_LABELS[result.status]}
              </Badge>
              <span className="font-medium break-all">{result.name}</span>
              <span className="text-muted-foreground text-xs">{result.type}</span>
              {result.severity === "warn" ? <span className="text-muted-foreground text-xs">warn only</span> : null}
              {result.status === "failed" || result.status === "warned" ? (
                <span className="text-muted-foreground text-xs tabular-nums">
                  {formatCount(result.failingRows)} failing {result.failingRows === 1 ? "row" : "rows"}
                </span>
              ) : null}
            </div>
            {result.error ? <p className="text-destructive mt-2 break-words whitespace-pre-wrap">{result.error}</p> : null}
            {result.sample.length ? <FailingSample sample={result.sample} name={result.name} order={columns} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Samples are stored as JSON objects, whose keys come back in the database's order (jsonb sorts
 * them), not the model's: put them back in the model's column order, anything else after.
 */
export function sampleColumns(sample: readonly Record<string, unknown>[], order: readonly string[]): string[] {
  const present = new Set(sample.flatMap((row) => Object.keys(row)));
  const known = order.filter((c) => present.has(c));
  return [...known, ...[...present].filter((c) => !order.includes(c))];
}

function FailingSample({ sample, name, order }: { sample: readonly Record<string, unknown>[]; name: string; order: readonly string[] }) {
  const columns = sampleColumns(sample, order);
  const rows = sample.map((row) => columns.map((c) => cellText(row[c])));
  return (
    <details className="mt-2">
      <summary className="text-muted-foreground hover:text-foreground cursor-pointer text-xs">
        Sample of failing rows ({sample.length})
      </summary>
      <div className="mt-2 rounded-md border">
        <ResultsTable columns={columns} rows={rows} caption={`Failing rows of test ${name}`} />
      </div>
    </details>
  );
}
