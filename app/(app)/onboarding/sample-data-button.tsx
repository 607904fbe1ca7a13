"use client";

import { useActionState } from "react";
import { LoaderCircleIcon, SparklesIcon } from "lucide-react";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";
import { startSampleDataAction } from "./actions";

type State = ActionResult<{ runId: string }>;
const initialState: State = { ok: false };

/** Loads the sample (a few seconds) and then opens its run; the wait says what is happening. */
export function SampleDataButton({ variant = "default" }: { variant?: "default" | "outline" }) {
  const [state, formAction, pending] = useActionState(startSampleDataAction, initialState);
  return (
    <form action={formAction} className="flex flex-col items-start gap-2">
      <Button type="submit" variant={variant} disabled={pending} data-testid="sample-data-button">
        {pending ? <LoaderCircleIcon className="animate-spin" aria-hidden="true" /> : <SparklesIcon aria-hidden="true" />}
        {pending ? "Loading sample data…" : "Try it with sample data"}
      </Button>
      <p role="status" aria-live="polite" className="text-muted-foreground text-xs empty:hidden">
        {pending ? "Loading 4,000 shop orders and building the model; the run opens in a few seconds." : ""}
      </p>
      <FormError message={state.ok ? undefined : state.formError} />
    </form>
  );
}
