"use client";

import { Fragment, useState } from "react";
import { ChevronDownIcon, ChevronRightIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { DeliveryStatusBadge, deliveryKindLabel, type DeliveryKind, type DeliveryStatus } from "@/components/destinations/delivery-status";
import { SlackMessagePreview } from "@/components/destinations/slack-message-preview";

export type AttemptView = {
  attempt: number;
  statusCode: number | null;
  response: string | null;
  error: string | null;
  at: string;
  atLabel: string;
};

export type DeliveryView = {
  id: string;
  status: DeliveryStatus;
  kind: DeliveryKind;
  attempts: number;
  error: string | null;
  skipReason: string | null;
  runId: string | null;
  createdAt: string;
  createdLabel: string;
  createdRelative: string;
  sentAt: string | null;
  sentLabel: string | null;
  payload: unknown;
  log: AttemptView[];
};

/** Recent deliveries; each row opens its attempt log and the message that was posted. */
export function DeliveriesTable({ deliveries, labelledBy }: { deliveries: DeliveryView[]; labelledBy: string }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Table aria-labelledby={labelledBy}>
      <TableHeader>
        <TableRow>
          <TableHead>Status</TableHead>
          <TableHead>Kind</TableHead>
          <TableHead className="text-right">Attempts</TableHead>
          <TableHead>When</TableHead>
          <TableHead>Error or skip reason</TableHead>
          <TableHead>
            <span className="sr-only">Attempt log</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deliveries.map((d) => {
          const expanded = open.has(d.id);
          const panelId = `delivery-${d.id}-log`;
          const note = d.status === "skipped" ? d.skipReason : d.error;
          return (
            <Fragment key={d.id}>
              <TableRow data-testid="delivery-row" data-status={d.status} className={expanded ? "border-b-0" : undefined}>
                <TableCell>
                  <DeliveryStatusBadge status={d.status} />
                </TableCell>
                <TableCell>{deliveryKindLabel(d.kind)}</TableCell>
                <TableCell className="text-right tabular-nums">{d.attempts}</TableCell>
                <TableCell>
                  <time dateTime={d.createdAt} title={d.createdLabel}>
                    {d.createdRelative}
                  </time>
                </TableCell>
                <TableCell className="max-w-[22rem] min-w-[12rem] whitespace-normal">
                  {note ? (
                    <span className={d.status === "failed" ? "text-destructive break-words" : "text-muted-foreground break-words"}>
                      {note}
                    </span>
                  ) : (
                    <span className="text-muted-foreground">—</span>
                  )}
                </TableCell>
                <TableCell className="text-right">
                  <Button
                    type="button"
                    size="sm"
                    variant="ghost"
                    aria-expanded={expanded}
                    aria-controls={panelId}
                    onClick={() => toggle(d.id)}
                  >
                    {expanded ? <ChevronDownIcon aria-hidden="true" /> : <ChevronRightIcon aria-hidden="true" />}
                    {expanded ? "Hide attempts" : `Attempts (${d.log.length})`}
                    <span className="sr-only">
                      {" "}
                      of the {deliveryKindLabel(d.kind).toLowerCase()} from {d.createdLabel}
                    </span>
                  </Button>
                </TableCell>
              </TableRow>
              {expanded ? (
                <TableRow className="hover:bg-transparent">
                  <TableCell colSpan={6} className="bg-muted/30 p-0 whitespace-normal">
                    <div id={panelId} data-testid="delivery-attempts" className="flex flex-col gap-4 p-3 sm:p-4">
                      <DeliveryFacts delivery={d} />
                      <AttemptLog log={d.log} />
                      {d.payload ? (
                        <details className="group">
                          <summary className="focus-visible:ring-ring/50 w-fit cursor-pointer rounded text-sm font-medium outline-none focus-visible:ring-[3px]">
                            The message as posted
                          </summary>
                          <SlackMessagePreview
                            payload={d.payload}
                            time={d.sentLabel ?? d.createdLabel}
                            className="mt-2 max-w-2xl"
                            label="The message as posted"
                          />
                        </details>
                      ) : null}
                    </div>
                  </TableCell>
                </TableRow>
              ) : null}
            </Fragment>
          );
        })}
      </TableBody>
    </Table>
  );
}

function DeliveryFacts({ delivery }: { delivery: DeliveryView }) {
  return (
    <dl className="text-muted-foreground flex flex-wrap gap-x-6 gap-y-1 text-xs">
      <div className="flex gap-1">
        <dt>Created</dt>
        <dd className="text-foreground">
          <time dateTime={delivery.createdAt}>{delivery.createdLabel}</time>
        </dd>
      </div>
      {delivery.sentAt && delivery.sentLabel ? (
        <div className="flex gap-1">
          <dt>Accepted by Slack</dt>
          <dd className="text-foreground">
            <time dateTime={delivery.sentAt}>{delivery.sentLabel}</time>
          </dd>
        </div>
      ) : null}
      {delivery.runId ? (
        <div className="flex gap-1">
          <dt>Run</dt>
          <dd className="text-foreground font-mono break-all">{delivery.runId}</dd>
        </div>
      ) : null}
    </dl>
  );
}

function AttemptLog({ log }: { log: AttemptView[] }) {
  if (log.length === 0) {
    return <p className="text-muted-foreground text-sm">No attempt was made (skipped, or still waiting for its turn).</p>;
  }
  return (
    <div className="bg-background rounded-md border">
      <Table>
        <caption className="sr-only">Attempt log</caption>
        <TableHeader>
          <TableRow>
            <TableHead className="text-right">Attempt</TableHead>
            <TableHead>HTTP status</TableHead>
            <TableHead>Slack&apos;s answer</TableHead>
            <TableHead>Error</TableHead>
            <TableHead>Time</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {log.map((a) => (
            <TableRow key={a.attempt} data-testid="delivery-attempt">
              <TableCell className="text-right tabular-nums">{a.attempt}</TableCell>
              <TableCell className="tabular-nums">{a.statusCode ?? <span className="text-muted-foreground">—</span>}</TableCell>
              <TableCell className="max-w-[18rem] font-mono text-xs break-words whitespace-pre-wrap">
                {a.response || <span className="text-muted-foreground font-sans">—</span>}
              </TableCell>
              <TableCell className="max-w-[18rem] whitespace-normal">
                {a.error ? (
                  <span className="text-destructive break-words">{a.error}</span>
                ) : (
                  <span className="text-muted-foreground">—</span>
                )}
              </TableCell>
              <TableCell>
                <time dateTime={a.at}>{a.atLabel}</time>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
