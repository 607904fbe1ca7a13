import type { ReactNode } from "react";
import { DEFAULT_DIGEST_ROWS, type DeliveryDigestConfig, type Pipeline } from "@/db/schema/pipelines";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { PipelineFormOptions } from "../form-types";
import { describeCondition } from "@/lib/pipeline/alert-rules";
import { scheduleInWords } from "@/lib/pipeline/schedule";
import { formatDateTime, formatUntil } from "@/lib/format";

/** What the pipeline does, in words: the saved configuration, read-only. */
export function ConfigSummary({ pipeline, options, now }: { pipeline: Pipeline; options: PipelineFormOptions; now: Date }) {
  const destinationName = (id: string | null) => {
    if (id === null) {
      const current = options.destinations.find((d) => d.default);
      return current ? `Default destination (now ${current.name})` : "Default destination (none set)";
    }
    return options.destinations.find((d) => d.id === id)?.name ?? "A deleted destination";
  };
  const dataset = options.datasets.find((d) => d.id === pipeline.datasetId);
  const words = scheduleInWords(pipeline);

  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Configuration</h2>
        </CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="grid gap-x-6 gap-y-4 text-sm sm:grid-cols-[12rem_1fr]" data-testid="pipeline-config">
          <Item term="Dataset">{dataset ? <span className="font-mono">{dataset.name}</span> : "Deleted"}</Item>
          <Item term="Models">
            {pipeline.models === null ? (
              <>Everything downstream of {dataset ? <span className="font-mono">{dataset.name}</span> : "the dataset"}</>
            ) : pipeline.models.length === 0 ? (
              "None: runs only load the dataset"
            ) : (
              <span className="font-mono break-words">{pipeline.models.join(", ")}</span>
            )}
          </Item>
          <Item term="Schedule">
            {words ? (
              <span className="flex flex-col gap-0.5">
                <span>{words}</span>
                <span className="text-muted-foreground font-mono text-xs">{pipeline.scheduleCron}</span>
                <span className="text-muted-foreground text-xs" data-testid="pipeline-next-run">
                  {pipeline.paused ? (
                    "Paused: scheduled runs are skipped until it is resumed."
                  ) : pipeline.nextRunAt ? (
                    <>
                      Next run{" "}
                      <time dateTime={pipeline.nextRunAt.toISOString()} title={formatDateTime(pipeline.nextRunAt)}>
                        {formatUntil(pipeline.nextRunAt, now)}
                      </time>{" "}
                      ({formatDateTime(pipeline.nextRunAt)})
                    </>
                  ) : (
                    "No upcoming run"
                  )}
                </span>
              </span>
            ) : (
              "Manual: runs when started by hand or through the API"
            )}
          </Item>
          <Item term="Messages">
            {pipeline.deliveries.length === 0 ? (
              "None: runs post nothing to Slack"
            ) : (
              <ol className="flex flex-col gap-3">
                {pipeline.deliveries.map((d, i) => {
                  const table = d.template.table;
                  return (
                    <li key={i} className="flex min-w-0 flex-col gap-1 rounded-md border p-3">
                      <p className="font-medium">
                        {i + 1}. To {destinationName(d.destinationId)}
                      </p>
                      <p className="text-muted-foreground text-xs" data-testid="delivery-condition">
                        Sent {describeCondition(d.condition, d.fire)}
                        {d.snoozeUntil && new Date(d.snoozeUntil) > new Date()
                          ? ` · snoozed until ${formatDateTime(new Date(d.snoozeUntil))}`
                          : ""}
                      </p>
                      {d.template.header ? <p className="font-mono text-xs break-words">{d.template.header}</p> : null}
                      <p className="text-muted-foreground line-clamp-4 font-mono text-xs break-words whitespace-pre-wrap">
                        {d.template.text}
                      </p>
                      {table ? (
                        <p className="text-xs">
                          Table from <span className="font-mono">{table.model}</span>
                          {table.columns?.length ? `: ${table.columns.join(", ")}` : ", all columns"}
                          {table.sortBy ? `, sorted by ${table.sortBy} ${table.sortDirection === "desc" ? "descending" : "ascending"}` : ""}
                          {`, up to ${table.limit ?? 20} rows`}
                        </p>
                      ) : null}
                      {d.digest ? (
                        <p className="text-xs" data-testid="delivery-digest">
                          Only what changed, by <span className="font-mono">{d.digest.key.join(", ")}</span> ({digestDetails(d.digest)})
                        </p>
                      ) : null}
                    </li>
                  );
                })}
              </ol>
            )}
          </Item>
          <Item term="Failure alert">
            {pipeline.failureAlertDestinationId ? destinationName(pipeline.failureAlertDestinationId) : "None"}
          </Item>
          <Item term="Data test warnings">
            {pipeline.stopOnTestFailure
              ? "Fail the run before sending, as failed tests do"
              : "Messages still go out; the run ends succeeded with warnings"}
          </Item>
        </dl>
      </CardContent>
    </Card>
  );
}

/** "one digest message, up to 10 rows of each kind; a note when the baseline is taken" */
function digestDetails(digest: DeliveryDigestConfig): string {
  const rows = digest.maxRows ?? DEFAULT_DIGEST_ROWS;
  const how =
    digest.mode === "per_row"
      ? `one message per row, up to ${rows}, then one counting the rest`
      : `one digest message, up to ${rows} row${rows === 1 ? "" : "s"} of each kind`;
  return digest.baselineMessage ? `${how}; a note when the baseline is taken` : how;
}

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-muted-foreground font-medium">{term}</dt>
      <dd className="min-w-0">{children}</dd>
    </>
  );
}
