"use client";

import { useState, useTransition } from "react";
import { RefreshCwIcon, SendIcon } from "lucide-react";
import type { ActionResult } from "@/lib/action-result";
import type { DeliveryPreview } from "@/lib/pipeline/delivery-preview";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";
import { useLivePreview } from "@/components/live-preview/use-live-preview";
import { SlackMessagePreview } from "@/components/destinations/slack-message-preview";
import { previewDeliveryAction, sendDeliveryTestAction, type DeliveryTestResult } from "./actions";
import { deliveryInput, type DeliveryDraft } from "./form-types";

export type PreviewContext = { pipelineId: string | null; datasetId: string; pipelineName: string; timeZone: string };

/** A pause in typing before the preview asks the server again. */
const LIVE_DEBOUNCE_MS = 600;

/**
 * The message as the next run would post it — the model's current rows and the last successful
 * run's values, rendered as Slack shows it, following the form as it is edited — and "Send test"
 * to post exactly that once.
 */
export function DeliveryPreviewPanel({
  idFor,
  value,
  context,
  number,
}: {
  idFor: (part: string) => string;
  value: DeliveryDraft;
  context: PreviewContext;
  /** This message's place in the pipeline (from 1), for the link to the full preview page. */
  number: number;
}) {
  const [test, setTest] = useState<ActionResult<DeliveryTestResult> | null>(null);
  const [pending, startTransition] = useTransition();
  const request = () => ({ ...context, template: deliveryInput(value).template, destinationId: value.destinationId || null });
  const key = JSON.stringify(request());

  // Live: one request per pause in editing; an answer to an older request is dropped.
  const {
    result: preview,
    waiting: refreshing,
    refresh,
  } = useLivePreview<DeliveryPreview>(key, previewDeliveryAction, { delayMs: LIVE_DEBOUNCE_MS, enabled: Boolean(context.datasetId) });

  const show = () =>
    startTransition(async () => {
      setTest(null);
      await refresh();
    });
  const send = () =>
    startTransition(async () => {
      const [, sent] = await Promise.all([refresh(), sendDeliveryTestAction(request())]);
      setTest(sent);
    });

  return (
    <div className="flex flex-col gap-3 border-t pt-4" data-testid="delivery-preview">
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="outline" size="sm" onClick={show} disabled={pending || !context.datasetId}>
          <RefreshCwIcon aria-hidden="true" className={refreshing ? "animate-spin" : undefined} />
          Refresh preview
        </Button>
        <Button type="button" variant="outline" size="sm" onClick={send} disabled={pending || !context.datasetId}>
          <SendIcon aria-hidden="true" />
          Send test
        </Button>
        {context.pipelineId ? (
          <Button asChild variant="link" size="sm">
            <Link href={`/destinations/preview?pipeline=${context.pipelineId}&message=${number}`}>Open in the message preview</Link>
          </Button>
        ) : null}
        <span className="text-muted-foreground text-xs" id={idFor("preview-hint")}>
          {context.datasetId
            ? refreshing
              ? "Updating the preview…"
              : "Follows your edits, with the model's current rows and the last run's values."
            : "Choose a dataset to preview."}
        </span>
      </div>
      {preview && !preview.ok ? <FormError message={preview.formError ?? "The preview failed"} /> : null}
      {test ? (
        <p role="status" className="text-sm" data-testid="delivery-test-result" data-status={test.ok ? test.data.status : "failed"}>
          {test.ok
            ? test.data.status === "sent"
              ? "Test message sent."
              : `Test message not sent: ${test.data.answer}`
            : `Test message not sent: ${test.formError ?? "failed"}`}
        </p>
      ) : null}
      {preview?.ok ? (
        <div className="flex flex-col gap-1">
          <p className="text-muted-foreground text-xs" data-testid="delivery-preview-source">
            {preview.data.from
              ? `Values from the run of ${new Date(preview.data.from.at).toLocaleString()}.`
              : "Sample values: no run of this pipeline has succeeded yet."}
          </p>
          <SlackMessagePreview payload={preview.data.payload} testId="delivery-preview-message" />
        </div>
      ) : null}
    </div>
  );
}
