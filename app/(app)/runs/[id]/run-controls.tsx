"use client";

import { useActionState, useEffect, useState } from "react";
import { BanIcon, RotateCcwIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { ConfirmAction } from "@/components/confirm-action";
import { FormError } from "@/components/form-messages";
import type { RunStatus, StepName } from "@/components/pipelines/run-status";
import { stepLabel } from "@/components/pipelines/run-status";
import { cancelRunAction, retryRunAction, type RunChange } from "../actions";

type Attempted = ActionResult<RunChange> & { attempt: number };
const initial: Attempted = { ok: false, attempt: 0 };

/** Cancel (queued or running; confirmed first) and "Retry from failed step" (failed), for editors. */
export function RunControls({
  runId,
  status,
  failedStep,
  cancelRequested,
  onChanged,
}: {
  runId: string;
  status: RunStatus;
  failedStep: StepName | null;
  cancelRequested: boolean;
  /** Called after a change was accepted, so the page re-reads the run at once. */
  onChanged: (change: RunChange) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [last, setLast] = useState<"cancel" | "retry" | null>(null);
  const [cancel, cancelAction, cancelling] = useActionState(
    async (prev: Attempted, form: FormData): Promise<Attempted> => ({
      ...(await cancelRunAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    initial,
  );
  const [retry, retryAction, retrying] = useActionState(
    async (prev: Attempted, form: FormData): Promise<Attempted> => ({
      ...(await retryRunAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    initial,
  );

  useEffect(() => {
    if (!cancel.ok) return;
    setConfirming(false);
    toast.success(cancel.data.status === "cancelled" ? "Run cancelled" : "Cancel requested: the run stops at its next safe point");
    onChanged(cancel.data);
    // Only a new answer counts, not a new callback.
  }, [cancel]);
  useEffect(() => {
    if (!retry.ok) return;
    toast.success("Retrying from the failed step");
    onChanged(retry.data);
  }, [retry]);

  const canCancel = status === "queued" || status === "running";
  const canRetry = status === "failed";
  const error =
    last === "cancel" && !cancel.ok && cancel.attempt > 0
      ? (cancel.formError ?? "The run could not be cancelled")
      : last === "retry" && !retry.ok && retry.attempt > 0
        ? (retry.formError ?? "The run could not be retried")
        : undefined;

  if (!canCancel && !canRetry && !error) return null;

  return (
    <div className="flex min-w-0 flex-col gap-2 sm:items-end">
      <div className="flex flex-wrap gap-2">
        {canCancel ? (
          <ConfirmAction
            open={confirming}
            onOpenChange={setConfirming}
            pending={cancelling}
            trigger={
              <Button variant="outline" disabled={cancelRequested} data-testid="cancel-run">
                <BanIcon aria-hidden="true" />
                {cancelRequested ? "Cancelling…" : "Cancel"}
              </Button>
            }
            title="Cancel this run?"
            description={
              status === "queued"
                ? "It has not started yet; it is removed from the queue at once."
                : "It stops at its next safe point. Steps already finished stay done; nothing more is sent to Slack."
            }
            error={confirming ? error : undefined}
            errorClassName="whitespace-normal"
            cancelLabel="Keep running"
            confirm={{ label: "Cancel run", pendingLabel: "Cancelling…", testId: "confirm-cancel-run" }}
            action={cancelAction}
            onSubmit={() => setLast("cancel")}
            fields={{ id: runId }}
          />
        ) : null}
        {canRetry ? (
          <form action={retryAction} onSubmit={() => setLast("retry")}>
            <input type="hidden" name="id" value={runId} />
            <Button type="submit" disabled={retrying} data-testid="retry-failed-step">
              <RotateCcwIcon aria-hidden="true" />
              {retrying ? "Retrying…" : "Retry from failed step"}
              {failedStep ? <span className="sr-only"> ({stepLabel(failedStep)})</span> : null}
            </Button>
          </form>
        ) : null}
      </div>
      <FormError message={confirming ? undefined : error} className="whitespace-normal sm:max-w-md" />
    </div>
  );
}
