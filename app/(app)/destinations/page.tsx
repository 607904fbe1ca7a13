import type { Metadata } from "next";
import Link from "next/link";
import { ChevronRightIcon, MessageSquareTextIcon, PlusIcon, SendIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { listPublicDestinations } from "@/lib/slack/destinations";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { DefaultBadge, DestinationStatus, TestChannelBadge } from "@/components/destinations/destination-status";
import { AddDestinationForm } from "./add-destination-form";
import { AddTestChannelButton } from "./add-test-channel-button";
import { DestinationActions } from "./destination-actions";
import { formatDateTime } from "@/lib/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Destinations" };

export default async function DestinationsPage() {
  const user = await requireUser();
  const canEdit = roleAtLeast(user.role, "editor");
  const destinations = await listPublicDestinations();

  return (
    <>
      <PageHeader
        title="Destinations"
        description="The Slack channels that pipelines deliver to. Webhook URLs are stored encrypted and never shown again."
        actions={
          canEdit ? (
            <>
              <AddTestChannelButton />
              <Button asChild variant="outline">
                <Link href="/destinations/preview">
                  <MessageSquareTextIcon aria-hidden="true" />
                  Message preview
                </Link>
              </Button>
            </>
          ) : null
        }
      />

      {destinations.length === 0 ? (
        <EmptyState
          icon={SendIcon}
          title="No destinations yet"
          description="A destination is a Slack incoming webhook; Relayboard stores it encrypted and posts each pipeline's messages there. No webhook at hand? Add a test channel: it records each message and shows it as Slack would."
        >
          {canEdit ? (
            <Button asChild>
              <a href="#add-destination">
                <PlusIcon aria-hidden="true" />
                Add a Slack destination
              </a>
            </Button>
          ) : (
            <p className="text-muted-foreground text-sm">Ask an editor or admin to add the first destination.</p>
          )}
        </EmptyState>
      ) : (
        <Card>
          <CardHeader>
            <CardTitle>
              <h2 id="destinations-heading">All destinations ({destinations.length})</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <ul aria-labelledby="destinations-heading" className="divide-y">
              {destinations.map((d) => (
                <li
                  key={d.id}
                  data-testid="destination-row"
                  data-destination-id={d.id}
                  data-destination-kind={d.kind}
                  className="flex flex-col gap-3 py-4 first:pt-0 last:pb-0 lg:flex-row lg:items-start lg:justify-between"
                >
                  <div className="flex min-w-0 flex-col gap-1.5">
                    <div className="flex flex-wrap items-center gap-2">
                      <h3 className="min-w-0 font-medium break-words">
                        <Link href={`/destinations/${d.id}`} className="hover:underline focus-visible:underline">
                          {d.name}
                          <ChevronRightIcon aria-hidden="true" className="text-muted-foreground ml-0.5 inline size-4 align-[-2px]" />
                        </Link>
                      </h3>
                      {d.kind === "sample" ? <TestChannelBadge /> : null}
                      {d.default ? <DefaultBadge /> : null}
                      {d.status === "ok" ? <DestinationStatus status={d.status} attentionReason={d.attentionReason} /> : null}
                    </div>
                    <p className="text-muted-foreground font-mono text-xs break-all">
                      <span className="sr-only">Webhook: </span>
                      <span data-testid="destination-url">{d.webhookUrlMasked}</span>
                    </p>
                    {d.status === "needs_attention" ? <DestinationStatus status={d.status} attentionReason={d.attentionReason} /> : null}
                    <p className="text-muted-foreground text-xs">
                      Added <time dateTime={d.createdAt.toISOString()}>{formatDateTime(d.createdAt)}</time>
                    </p>
                  </div>
                  {canEdit ? (
                    <DestinationActions
                      destination={{ id: d.id, name: d.name, webhookUrlMasked: d.webhookUrlMasked, default: d.default }}
                      className="lg:max-w-md lg:items-end"
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      )}

      {canEdit ? (
        <Card id="add-destination" className="scroll-mt-20">
          <CardHeader>
            <CardTitle>
              <h2>Add destination</h2>
            </CardTitle>
            <CardDescription>
              Paste a Slack incoming webhook URL. It is encrypted at rest; after saving, only its host and last four characters are shown,
              to you and everyone else.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <AddDestinationForm isFirst={!destinations.some((d) => d.kind === "webhook" || d.default)} />
          </CardContent>
        </Card>
      ) : null}
    </>
  );
}
