import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeftIcon, MessageSquareTextIcon } from "lucide-react";
import { getSessionUser, requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { toPublicDestination, type PublicDestination } from "@/lib/slack/destinations";
import { getDestinationById, listDeliveriesForDestination, listDeliveryAttempts } from "@/db/queries/destinations";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { DefaultBadge, DestinationStatus, TestChannelBadge } from "@/components/destinations/destination-status";
import { DestinationActions } from "../destination-actions";
import { DeliveriesTable, type DeliveryView } from "./deliveries-table";
import { SampleChannel } from "../../onboarding/sample-messages";
import { formatDateTime, formatRelativeTime } from "@/lib/format";

export const dynamic = "force-dynamic";

const RECENT_DELIVERIES = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Params = Promise<{ id: string }>;

/** Only the public view of the row leaves this module: the row itself holds the URL's ciphertext. */
async function loadDestination(id: string): Promise<PublicDestination | null> {
  if (!UUID.test(id)) return null;
  const row = await getDestinationById(id);
  return row ? toPublicDestination(row) : null;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  // Metadata may render beside the page's own check: a visitor without a session gets no name.
  if (!(await getSessionUser())) return { title: "Destination" };
  const destination = await loadDestination(id).catch(() => null);
  return { title: destination?.name ?? "Destination" };
}

export default async function DestinationPage({ params }: { params: Params }) {
  const user = await requireUser();
  const { id } = await params;
  const destination = await loadDestination(id);
  if (!destination) notFound();
  const canEdit = roleAtLeast(user.role, "editor");

  const now = new Date();
  const deliveries = await listDeliveriesForDestination(destination.id, RECENT_DELIVERIES);
  const attemptLogs = await Promise.all(deliveries.map((d) => listDeliveryAttempts(d.id)));
  const views: DeliveryView[] = deliveries.map((d, i) => ({
    id: d.id,
    status: d.status,
    kind: d.kind,
    attempts: d.attempts,
    error: d.error,
    skipReason: d.skipReason,
    runId: d.runId,
    createdAt: d.createdAt.toISOString(),
    createdLabel: formatDateTime(d.createdAt),
    createdRelative: formatRelativeTime(d.createdAt, now),
    sentAt: d.sentAt?.toISOString() ?? null,
    sentLabel: d.sentAt ? formatDateTime(d.sentAt) : null,
    payload: d.payload ?? null,
    log: (attemptLogs[i] ?? []).map((a) => ({
      attempt: a.attempt,
      statusCode: a.statusCode,
      response: a.response,
      error: a.error,
      at: a.at.toISOString(),
      atLabel: formatDateTime(a.at),
    })),
  }));

  return (
    <>
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link href="/destinations">
            <ArrowLeftIcon aria-hidden="true" />
            All destinations
          </Link>
        </Button>
      </div>
      <PageHeader
        title={destination.name}
        description={
          destination.kind === "sample"
            ? "A test channel: it records messages instead of posting them, so it needs no Slack. Give it a webhook URL to make it real."
            : "A Slack incoming webhook. Its URL is stored encrypted; only the host and last four characters are shown."
        }
        actions={
          canEdit ? (
            <Button asChild variant="outline">
              <Link href="/destinations/preview">
                <MessageSquareTextIcon aria-hidden="true" />
                Message preview
              </Link>
            </Button>
          ) : null
        }
      />

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Webhook</h2>
          </CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-6">
          <dl className="grid gap-4 text-sm sm:grid-cols-2">
            <Detail term="URL">
              <span data-testid="destination-url" className="font-mono break-all">
                {destination.webhookUrlMasked}
              </span>
            </Detail>
            <Detail term="Status">
              <DestinationStatus status={destination.status} attentionReason={destination.attentionReason} />
            </Detail>
            <Detail term="Default">{destination.default ? <DefaultBadge /> : <span className="text-muted-foreground">No</span>}</Detail>
            {destination.kind === "sample" ? (
              <Detail term="Kind">
                <TestChannelBadge />
              </Detail>
            ) : null}
            <Detail term="Added">
              <time dateTime={destination.createdAt.toISOString()}>{formatDateTime(destination.createdAt)}</time>
            </Detail>
          </dl>
          {canEdit ? (
            <DestinationActions
              afterDelete="list"
              destination={{
                id: destination.id,
                name: destination.name,
                webhookUrlMasked: destination.webhookUrlMasked,
                default: destination.default,
              }}
            />
          ) : null}
        </CardContent>
      </Card>

      {destination.kind === "sample" ? <SampleChannel destinationId={destination.id} name={destination.name} /> : null}

      <Card>
        <CardHeader>
          <CardTitle>
            <h2 id="deliveries-heading">Recent deliveries</h2>
          </CardTitle>
          <CardDescription>
            The newest {RECENT_DELIVERIES} messages, test messages and failure alerts sent here, with every attempt and what Slack answered.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {views.length === 0 ? (
            <p className="text-muted-foreground text-sm" data-testid="deliveries-empty">
              Nothing has been sent here yet.{canEdit ? " Send a test message to check the webhook." : ""}
            </p>
          ) : (
            <DeliveriesTable deliveries={views} labelledBy="deliveries-heading" />
          )}
        </CardContent>
      </Card>
    </>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <dt className="text-muted-foreground text-xs font-medium tracking-wide uppercase">{term}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}
