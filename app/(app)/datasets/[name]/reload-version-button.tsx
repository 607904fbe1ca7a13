"use client";

import { useActionState, useEffect } from "react";
import { RotateCcwIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";
import { reloadVersionAction } from "./actions";

export function ReloadVersionButton({
  datasetId,
  versionId,
  version,
  disabled,
}: {
  datasetId: string;
  versionId: string;
  version: number;
  disabled: boolean;
}) {
  const [state, formAction, pending] = useActionState(reloadVersionAction, { ok: false } as ActionResult<{ loadId: string }>);
  useEffect(() => {
    if (state.ok) toast.success(`Reloading version ${version}`);
  }, [state, version]);
  return (
    <form action={formAction} className="flex flex-col items-end gap-1">
      <input type="hidden" name="datasetId" value={datasetId} />
      <input type="hidden" name="versionId" value={versionId} />
      <Button type="submit" size="sm" variant="outline" disabled={disabled || pending}>
        <RotateCcwIcon aria-hidden="true" />
        {pending ? "Queuing…" : "Reload"}
        <span className="sr-only"> version {version}</span>
      </Button>
      <FormError message={state.ok ? undefined : state.formError} className="max-w-xs text-left whitespace-normal" />
    </form>
  );
}
