"use client";

import { useActionState, useEffect } from "react";
import { useRouter } from "next/navigation";
import { RefreshCwIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";
import { checkQueueNow } from "./actions";

type State = ActionResult<{ probeId: string }>;
const initialState: State = { ok: false };

// A running worker answers in well under this; one refresh then shows the new round-trip.
const REFRESH_AFTER_MS = 3_000;

export function CheckQueueButton({ canRun }: { canRun: boolean }) {
  const router = useRouter();
  const [state, formAction, pending] = useActionState(checkQueueNow, initialState);
  useEffect(() => {
    if (!state.ok) return;
    toast.success("Probe sent. The round-trip shows here once a worker picks it up.");
    const timer = setTimeout(() => router.refresh(), REFRESH_AFTER_MS);
    return () => clearTimeout(timer);
  }, [state, router]);

  return (
    <form action={formAction} className="flex flex-col items-start gap-2">
      <Button
        type="submit"
        variant="outline"
        size="sm"
        disabled={!canRun || pending}
        aria-describedby={canRun ? undefined : "check-queue-note"}
      >
        <RefreshCwIcon className={pending ? "animate-spin" : undefined} aria-hidden="true" />
        {pending ? "Checking…" : "Check queue now"}
      </Button>
      {canRun ? null : (
        <p id="check-queue-note" className="text-muted-foreground text-xs">
          Editors and admins can run this
        </p>
      )}
      <FormError message={state.ok ? undefined : state.formError} />
    </form>
  );
}
