"use client";

import { useState, useTransition } from "react";
import { EyeIcon, SendIcon } from "lucide-react";
import type { ActionResult } from "@/lib/action-result";
import type { DeliveryPreview } from "@/lib/pipeline/delivery-preview";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";
import { SlackMessagePreview } from "@/components/destinations/slack-message-preview";
import { previewDeliveryAction, sendDeliveryTestAction, type DeliveryTestResult } from "./actions";
import { deliveryInput, type DeliveryDraft } from "./form-types";

export type PreviewContext = { pipelineId: string | null; datasetId: string; pipelineName: string; timeZone: string };

/**
 * The message as the next run would post it — the model's current rows and the last successful
 * run's values, rendered as Slack shows it — and "Send test" to post exactly that once.
 */
export function DeliveryPreviewPanel({
  idFor,
  value,
  context,
}: {
  idFor: (part: string) => string;
  value: DeliveryDraft;
  context: PreviewContext;
}) {
  const [preview, setPreview] = useState<ActionResult<DeliveryPreview> | null>(null);
  const [test, setTest] = useState<ActionResult<DeliveryTestResult> | null>(null);
  const [pending, startTransition] = useTransition();
  const request = () => ({ ...context, template: deliveryInput(value).template, destinationId: value.destinationId || null });

  const show = () =>
    startTransition(async () => {
      setTest(null);
      setPreview(await previewDeliveryAction(request()));
    });
  const send = () =>
    startTransition(async () => {
      const [shown, sent] = await Promise.all([previewDeliveryAction(request()), sendDeliveryTestAction(request())]);
      setPreview(shown);
      setTest(sent);
    });

  return (
    <div className="flex flex-col gap-3 border-t pt-4" data-testid="delivery-preview">
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="outline" size="sm" onClick={show} disabled={pending || !context.datasetId}>
          <EyeIcon aria-hidden="true" />
          Preview
        </Button>
        <Button type="button" variant="outline" size="sm" onClick={send} disabled={pending || !context.datasetId}>
          <SendIcon aria-hidden="true" />
          Send test
        </Button>
        <span className="text-muted-foreground text-xs" id={idFor("preview-hint")}>
          {context.datasetId ? "With the model's current rows and the last run's values." : "Choose a dataset to preview."}
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
