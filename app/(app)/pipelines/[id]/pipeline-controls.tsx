"use client";

import { useActionState, useEffect, useState } from "react";
import { PauseIcon, PlayIcon, RotateCwIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";
import { runPipelineAction, setPipelinePausedAction } from "../actions";
import type { PipelineDependents } from "@/lib/lifecycle/dependents";
import { DefaultPipelineNote, DeletePipelineButton } from "./delete-pipeline-button";

type Attempted<T> = ActionResult<T> & { attempt: number };

/** "Run now", "Run now (force)", Pause/Resume and Delete; a refused request shows why, below the buttons. */
export function PipelineControls({
  pipelineId,
  pipelineName,
  paused,
  dependents,
}: {
  pipelineId: string;
  pipelineName: string;
  paused: boolean;
  /** What deleting it takes along (computed on the server). */
  dependents: PipelineDependents;
}) {
  const [last, setLast] = useState<"run" | "pause" | null>(null);
  const [run, runAction, running] = useActionState(
    async (prev: Attempted<{ runId: string }>, form: FormData): Promise<Attempted<{ runId: string }>> => ({
      ...(await runPipelineAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );
  const [pause, pauseAction, pausing] = useActionState(
    async (prev: Attempted<{ paused: boolean }>, form: FormData): Promise<Attempted<{ paused: boolean }>> => ({
      ...(await setPipelinePausedAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );

  useEffect(() => {
    if (pause.ok) toast.success(pause.data.paused ? "Pipeline paused: its schedule is skipped" : "Pipeline resumed");
  }, [pause]);

  const error =
    last === "run" && !run.ok && run.attempt > 0
      ? (run.formError ?? "The run could not be started")
      : last === "pause" && !pause.ok && pause.attempt > 0
        ? (pause.formError ?? "Could not change the pipeline")
        : undefined;

  return (
    <div className="flex min-w-0 flex-col gap-2 sm:items-end">
      <div className="flex flex-wrap gap-2">
        <form action={runAction} onSubmit={() => setLast("run")} className="flex flex-wrap gap-2">
          <input type="hidden" name="id" value={pipelineId} />
          <Button type="submit" data-testid="run-now" disabled={running}>
            <PlayIcon aria-hidden="true" />
            {running ? "Starting…" : "Run now"}
          </Button>
          <Button
            type="submit"
            name="force"
            value="true"
            variant="outline"
            data-testid="run-now-force"
            disabled={running}
            title="Reload and send even when the source file has not changed"
          >
            <RotateCwIcon aria-hidden="true" />
            Run now (force)
          </Button>
        </form>
        <form action={pauseAction} onSubmit={() => setLast("pause")}>
          <input type="hidden" name="id" value={pipelineId} />
          <input type="hidden" name="paused" value={paused ? "false" : "true"} />
          <Button type="submit" variant="outline" disabled={pausing} data-testid={paused ? "resume-pipeline" : "pause-pipeline"}>
            {paused ? <PlayIcon aria-hidden="true" /> : <PauseIcon aria-hidden="true" />}
            {pausing ? "Saving…" : paused ? "Resume" : "Pause"}
          </Button>
        </form>
        <DeletePipelineButton pipelineId={pipelineId} pipelineName={pipelineName} dependents={dependents} />
      </div>
      {dependents.isDefault ? <DefaultPipelineNote /> : null}
      <FormError message={error} className="whitespace-normal sm:max-w-md" />
    </div>
  );
}
