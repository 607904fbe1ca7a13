"use client";

import { useActionState, useState } from "react";
import { Trash2Icon } from "lucide-react";
import type { ActionResult } from "@/lib/action-result";
import type { PipelineDependents } from "@/lib/lifecycle/dependents";
import { Button } from "@/components/ui/button";
import { ConfirmAction } from "@/components/confirm-action";
import { DeleteConsequences, plural, type Consequence } from "@/components/delete-consequences";
import { deletePipelineAction } from "../actions";

type DeleteState = ActionResult<{ name: string }> & { attempt: number };

export const DEFAULT_PIPELINE_NOTE_ID = "delete-pipeline-note";

/** Why a dataset's own pipeline has no working delete button. */
export function DefaultPipelineNote() {
  return (
    <p id={DEFAULT_PIPELINE_NOTE_ID} className="text-muted-foreground text-xs sm:max-w-md sm:text-right" data-testid="delete-pipeline-note">
      This is its dataset&rsquo;s own pipeline, so it cannot be deleted on its own: pause it, or delete the dataset.
    </p>
  );
}

/**
 * "Delete pipeline" with a confirmation listing what goes with it. A dataset's own pipeline gets a
 * disabled button and the reason instead: it goes only with its dataset.
 */
export function DeletePipelineButton({
  pipelineId,
  pipelineName,
  dependents,
}: {
  pipelineId: string;
  pipelineName: string;
  dependents: PipelineDependents;
}) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState(
    async (prev: DeleteState, form: FormData): Promise<DeleteState> => ({
      ...(await deletePipelineAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );
  // A refusal stays until the dialog closes; reopening starts clean.
  const [dismissed, setDismissed] = useState(0);
  const error = !state.ok && state.attempt !== dismissed ? (state.formError ?? "Could not delete this pipeline") : undefined;

  if (dependents.isDefault) {
    // The reason is shown beside the buttons (DEFAULT_PIPELINE_NOTE_ID), where this points.
    return (
      <Button variant="outline" disabled aria-describedby={DEFAULT_PIPELINE_NOTE_ID} data-testid="delete-pipeline">
        <Trash2Icon aria-hidden="true" />
        Delete pipeline
      </Button>
    );
  }

  const items: Consequence[] = [
    {
      id: "runs",
      text:
        dependents.runCount === 0
          ? "It has no runs yet."
          : dependents.runCount === 1
            ? "Its 1 run is deleted, with its steps and delivery records."
            : `Its ${plural(dependents.runCount, "run")} are deleted, with their steps and delivery records.`,
    },
    {
      id: "snapshots",
      text: dependents.digestMessages
        ? `The “what changed” snapshots of its ${plural(dependents.digestMessages, "message")} are dropped.`
        : "None of its messages keeps a “what changed” snapshot.",
    },
    {
      id: "schedule",
      text: dependents.schedule ? `Its schedule (${dependents.schedule}) stops.` : "It has no schedule.",
    },
    { id: "kept", text: "Its dataset, the models and the destinations are kept." },
  ];

  return (
    <ConfirmAction
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setDismissed(state.attempt);
      }}
      pending={pending}
      trigger={
        <Button variant="outline" className="text-destructive hover:text-destructive" data-testid="delete-pipeline">
          <Trash2Icon aria-hidden="true" />
          Delete pipeline
        </Button>
      }
      title={`Delete pipeline ${pipelineName}?`}
      titleClassName="break-all"
      description={
        <>
          <p>This cannot be undone.</p>
          <DeleteConsequences items={items} />
          {dependents.running ? (
            <p className="text-destructive" data-testid="delete-pipeline-running">
              A run is in progress: cancel it or wait for it to end, then delete.
            </p>
          ) : null}
        </>
      }
      error={error}
      confirm={{ label: "Delete pipeline", pendingLabel: "Deleting…", testId: "confirm-delete-pipeline" }}
      action={formAction}
      fields={{ id: pipelineId }}
    />
  );
}
