"use client";

import { useActionState, useEffect, useState } from "react";
import { DownloadCloudIcon, RefreshCwIcon, Trash2Icon, UploadIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import type { DatasetDependents } from "@/lib/lifecycle/dependents";
import { Button } from "@/components/ui/button";
import { ConfirmAction } from "@/components/confirm-action";
import { FormError } from "@/components/form-messages";
import { DeleteConsequences, plural, type Consequence } from "@/components/delete-consequences";
import { deleteDatasetAction, requestLoadAction } from "./actions";

type LoadState = ActionResult<{ loadId: string }> & { attempt: number; mode?: string };

/** The header's buttons: Load now (URL datasets), Force reload, Upload new version (uploads), Delete. */
export function DatasetActions({
  datasetId,
  datasetName,
  sourceType,
  busy,
  dependents,
}: {
  datasetId: string;
  datasetName: string;
  sourceType: "url" | "upload";
  /** A load is queued or running: the server would refuse another. */
  busy: boolean;
  /** What deleting it takes along and breaks (computed on the server). */
  dependents: DatasetDependents;
}) {
  const [state, formAction, pending] = useActionState(
    async (prev: LoadState, form: FormData): Promise<LoadState> => {
      const result = await requestLoadAction({ ok: false }, form);
      return { ...result, attempt: prev.attempt + 1, mode: String(form.get("mode") ?? "load") };
    },
    { ok: false, attempt: 0 },
  );
  useEffect(() => {
    if (state.ok) toast.success(state.mode === "force" ? "Reload queued" : "Load queued");
  }, [state]);

  const disabled = busy || pending;
  return (
    <div className="flex flex-col items-stretch gap-2 sm:items-end">
      <div className="flex flex-wrap gap-2">
        <form action={formAction} className="contents">
          <input type="hidden" name="datasetId" value={datasetId} />
          {sourceType === "url" ? (
            <Button type="submit" name="mode" value="load" disabled={disabled} aria-describedby={busy ? "load-busy-note" : undefined}>
              <DownloadCloudIcon aria-hidden="true" />
              Load now
            </Button>
          ) : null}
          <Button
            type="submit"
            name="mode"
            value="force"
            variant={sourceType === "url" ? "outline" : "default"}
            disabled={disabled}
            aria-describedby={busy ? "load-busy-note" : undefined}
          >
            <RefreshCwIcon className={pending ? "animate-spin motion-reduce:animate-none" : undefined} aria-hidden="true" />
            Force reload
          </Button>
        </form>
        {sourceType === "upload" ? (
          <Button asChild variant="outline">
            <a href="#upload-version">
              <UploadIcon aria-hidden="true" />
              Upload new version
            </a>
          </Button>
        ) : null}
        <DeleteDatasetButton datasetId={datasetId} datasetName={datasetName} busy={busy} dependents={dependents} />
      </div>
      {busy ? (
        <p id="load-busy-note" className="text-muted-foreground text-xs">
          A load is running; these are available when it finishes.
        </p>
      ) : null}
      <FormError message={state.ok ? undefined : state.formError} className="max-w-md" />
    </div>
  );
}

type DeleteState = ActionResult<{ name: string }> & { attempt: number };

/** The dataset dialog's lines: what goes with it, and what fails afterwards. */
function datasetConsequences(d: DatasetDependents): Consequence[] {
  const items: Consequence[] = [
    {
      id: "versions",
      text: d.versionCount
        ? `${plural(d.versionCount, "stored version")}, the staging and warehouse tables are deleted.`
        : "It has no stored versions; its tables, if any, are dropped.",
    },
    d.pipelines.length
      ? {
          id: "pipelines",
          text: `${d.pipelines.length === 1 ? "Its pipeline is" : `Its ${plural(d.pipelines.length, "pipeline")} are`} deleted with it, runs and schedules included:`,
          names: d.pipelines.map((p) => p.name),
        }
      : { id: "pipelines", text: "It has no pipelines." },
  ];
  if (d.readers.length) {
    items.push({
      id: "models",
      warn: true,
      text: `${d.readers.length === 1 ? "This model reads it and fails" : `These ${plural(d.readers.length, "model")} read it and fail`} at the next build:`,
      names: d.readers,
    });
  }
  if (d.downstream.length) {
    items.push({
      id: "downstream",
      warn: true,
      text: "Models built on those fail with them:",
      names: d.downstream,
    });
  }
  if (d.messages.length) {
    items.push({
      id: "messages",
      warn: true,
      text: "Messages of other pipelines use its table and will fail:",
      names: d.messages.map((m) => `${m.name} (message ${m.messages.join(", ")})`),
    });
  }
  if (!d.readers.length && !d.messages.length) items.push({ id: "models", text: "No model or other pipeline reads it." });
  return items;
}

function DeleteDatasetButton({
  datasetId,
  datasetName,
  busy,
  dependents,
}: {
  datasetId: string;
  datasetName: string;
  busy: boolean;
  dependents: DatasetDependents;
}) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState(
    async (prev: DeleteState, form: FormData): Promise<DeleteState> => ({
      ...(await deleteDatasetAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );
  // A refusal stays until the dialog closes; reopening starts clean.
  const [dismissed, setDismissed] = useState(0);
  const error = !state.ok && state.attempt !== dismissed ? (state.formError ?? "Could not delete this dataset") : undefined;

  return (
    <ConfirmAction
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setDismissed(state.attempt);
      }}
      pending={pending}
      trigger={
        <Button variant="outline" className="text-destructive hover:text-destructive" disabled={busy}>
          <Trash2Icon aria-hidden="true" />
          Delete
        </Button>
      }
      title={`Delete ${datasetName}?`}
      titleClassName="break-all"
      description={
        <>
          <p>This cannot be undone.</p>
          <DeleteConsequences items={datasetConsequences(dependents)} />
        </>
      }
      error={error}
      confirm={{ label: "Delete dataset", pendingLabel: "Deleting…" }}
      action={formAction}
      fields={{ datasetId }}
    />
  );
}
