"use client";

import { useActionState, useEffect, useState } from "react";
import { CircleAlertIcon, CircleCheckIcon, Trash2Icon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import type { FailedCleanup } from "@/lib/lifecycle/failed-datasets";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmAction } from "@/components/confirm-action";
import { plural } from "@/components/delete-consequences";
import { removeFailedDatasetsAction } from "./actions";

export type FailedCandidate = { id: string; name: string; error: string | null };

type CleanupState = ActionResult<FailedCleanup> & { attempt: number };

/**
 * The list page's offer to remove datasets that failed and never loaded, with a confirmation that
 * names them. Stays mounted when none are left, so the outcome (removed, kept and why) is still shown.
 */
export function RemoveFailedDatasets({ candidates }: { candidates: FailedCandidate[] }) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState(
    async (prev: CleanupState, form: FormData): Promise<CleanupState> => ({
      ...(await removeFailedDatasetsAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );
  const [dismissed, setDismissed] = useState(0);
  const error = !state.ok && state.attempt > 0 && state.attempt !== dismissed ? (state.formError ?? "Could not remove them") : undefined;

  useEffect(() => {
    if (!state.ok) return;
    setOpen(false);
    toast.success(`Removed ${plural(state.data.removed.length, "failed dataset")}`);
  }, [state]);

  const outcome = state.ok ? state.data : null;
  const count = candidates.length;

  return (
    <>
      {outcome ? (
        <Alert role="status" data-testid="failed-cleanup-result">
          <CircleCheckIcon aria-hidden="true" />
          <AlertTitle>Removed {plural(outcome.removed.length, "failed dataset")}</AlertTitle>
          <AlertDescription>
            {outcome.removed.length ? <p className="break-all">{outcome.removed.join(", ")}</p> : null}
            {outcome.kept.length ? (
              <div data-testid="failed-cleanup-kept">
                <p>Kept {plural(outcome.kept.length, "dataset")}:</p>
                <ul className="list-disc pl-5">
                  {outcome.kept.map((k) => (
                    <li key={k.name} className="break-all">
                      <span className="font-medium">{k.name}</span>: {k.reason}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </AlertDescription>
        </Alert>
      ) : null}

      {count ? (
        <div
          data-testid="failed-datasets-offer"
          className="bg-card flex flex-wrap items-center justify-between gap-3 rounded-lg border px-4 py-3"
        >
          <div className="flex items-start gap-3">
            <CircleAlertIcon aria-hidden="true" className="text-destructive mt-0.5 size-4 shrink-0" />
            <p className="text-sm">
              {count === 1 ? "One dataset" : `${count.toLocaleString("en")} datasets`} failed and never loaded any data.
            </p>
          </div>
          <ConfirmAction
            open={open}
            onOpenChange={(next) => {
              setOpen(next);
              if (!next) setDismissed(state.attempt);
            }}
            pending={pending}
            trigger={
              <Button variant="outline" size="sm" className="text-destructive hover:text-destructive" data-testid="remove-failed-datasets">
                <Trash2Icon aria-hidden="true" />
                Remove {plural(count, "failed dataset")}
              </Button>
            }
            title={`Remove ${plural(count, "failed dataset")}?`}
            description={
              <>
                <p>
                  None of these ever loaded: each goes with its pipelines, runs and any stored file. Each is checked again first; one that
                  is loading or has loaded meanwhile is kept.
                </p>
                <ul className="grid max-h-64 gap-1 overflow-y-auto text-sm" data-testid="failed-datasets-list">
                  {candidates.map((c) => (
                    <li key={c.id} className="grid">
                      <span className="text-foreground font-mono text-xs break-all">{c.name}</span>
                      {c.error ? <span className="text-destructive line-clamp-2 text-xs">{c.error}</span> : null}
                    </li>
                  ))}
                </ul>
              </>
            }
            error={error}
            confirm={{ label: `Remove ${plural(count, "dataset")}`, pendingLabel: "Removing…", testId: "confirm-remove-failed" }}
            action={formAction}
            fields={{ datasetId: candidates.map((c) => c.id) }}
          />
        </div>
      ) : null}
    </>
  );
}
