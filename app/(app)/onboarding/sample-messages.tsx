import Link from "next/link";
import { ArrowRightIcon, FlaskConicalIcon } from "lucide-react";
import { listDeliveriesForDestination, listDeliveriesForRun, listDestinations } from "@/db/queries/destinations";
import { getPipelineById, getRunById } from "@/db/queries/pipelines";
import type { Delivery } from "@/db/schema/destinations";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { SlackMessagePreview } from "@/components/destinations/slack-message-preview";
import { formatDateTime } from "@/lib/format";

const CHANNEL_MESSAGES = 5;

function Previews({ deliveries, channel }: { deliveries: Delivery[]; channel: string }) {
  return (
    <ul className="flex flex-col gap-3">
      {deliveries.map((d) => (
        <li key={d.id}>
          <SlackMessagePreview
            payload={d.payload}
            time={formatDateTime(d.sentAt ?? d.createdAt)}
            testId="sample-message"
            label={`Message recorded by ${channel}`}
            className="max-w-3xl"
          />
        </li>
      ))}
    </ul>
  );
}

/**
 * On a run page: the messages this run sent to a sample destination, shown as the channel would
 * show them. The run page refreshes from the server when the run ends, which brings them in.
 */
export async function SampleRunMessages({ runId }: { runId: string }) {
  const [run, deliveries, destinations] = await Promise.all([getRunById(runId), listDeliveriesForRun(runId), listDestinations()]);
  const samples = new Map(destinations.filter((d) => d.kind === "sample").map((d) => [d.id, d]));
  if (!run || samples.size === 0) return null;
  const recorded = deliveries.filter((d) => samples.has(d.destinationId) && d.status === "sent" && d.payload);
  let waiting = false;
  if (recorded.length === 0) {
    const pipeline = await getPipelineById(run.pipelineId);
    const sendsToSample = pipeline?.deliveries.some((d) => d.destinationId && samples.has(d.destinationId)) ?? false;
    waiting = sendsToSample && (run.status === "queued" || run.status === "running");
    if (!waiting) return null;
  }
  const channelId = recorded[0]?.destinationId ?? [...samples.keys()][0]!;
  return (
    <Card data-testid="sample-run-messages">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <FlaskConicalIcon className="text-muted-foreground size-4" aria-hidden="true" />
          <h2>What your Slack channel would get</h2>
        </CardTitle>
        <CardDescription>
          This run sends to the {samples.get(channelId)?.name ?? "sample channel"}, which records messages instead of posting them: below is
          the message exactly as Slack would receive it. Nothing left this server.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {waiting ? (
          <p className="text-muted-foreground text-sm">The message shows up here once the run has reached its Deliver step.</p>
        ) : (
          <Previews deliveries={recorded} channel={samples.get(channelId)?.name ?? "the sample channel"} />
        )}
        <Button asChild variant="outline" size="sm" className="self-start">
          <Link href={`/destinations/${channelId}`}>
            Connect a real Slack channel
            <ArrowRightIcon aria-hidden="true" />
          </Link>
        </Button>
      </CardContent>
    </Card>
  );
}

/** On a sample destination's (test channel's) page: its newest messages, as the channel would show them. */
export async function SampleChannel({ destinationId, name }: { destinationId: string; name: string }) {
  const recorded = (await listDeliveriesForDestination(destinationId, 20))
    .filter((d) => d.status === "sent" && d.payload)
    .slice(0, CHANNEL_MESSAGES);
  return (
    <Card data-testid="sample-channel">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <FlaskConicalIcon className="text-muted-foreground size-4" aria-hidden="true" />
          <h2>The channel, as Slack would show it</h2>
        </CardTitle>
        <CardDescription>
          A test channel posts nothing: each message is checked against Slack&apos;s limits and recorded here with its exact Block Kit
          payload. To send for real, edit this destination and give it a Slack incoming webhook URL.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {recorded.length ? (
          <Previews deliveries={recorded} channel={name} />
        ) : (
          <p className="text-muted-foreground text-sm">No messages yet. Run a pipeline that sends here, or send a test message.</p>
        )}
      </CardContent>
    </Card>
  );
}
