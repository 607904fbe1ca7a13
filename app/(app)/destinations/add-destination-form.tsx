"use client";

import { startTransition, useActionState, useEffect, useRef, type FormEvent } from "react";
import { PlusIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { FormError } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { WebhookUrlField } from "@/components/destinations/webhook-url-field";
import { createDestinationAction, type SavedDestination } from "./actions";
import { topMessage } from "./form-errors";

type State = ActionResult<SavedDestination> & { attempt: number };
const initialState: State = { ok: false, attempt: 0 };

export function AddDestinationForm({ isFirst }: { isFirst: boolean }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [state, formAction, pending] = useActionState(
    async (prev: State, form: FormData): Promise<State> => ({
      ...(await createDestinationAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    initialState,
  );

  // Submitting by hand keeps what was typed when the server refuses it (a typo in a long URL
  // should not mean pasting it again); the fields are cleared only once it is saved.
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => formAction(form));
  };

  useEffect(() => {
    if (!state.ok) return;
    formRef.current?.reset();
    toast.success(`Added ${state.data.name}`, {
      description: `Saved as ${state.data.webhookUrlMasked}${state.data.default ? "; it is the default destination" : ""}.`,
    });
  }, [state]);

  const fieldErrors = state.ok ? undefined : state.fieldErrors;
  const formError = state.ok ? undefined : topMessage(state.formError, fieldErrors);

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="flex flex-col gap-4" aria-label="Add destination">
      <FormError message={formError} />
      <div className="grid gap-4 md:grid-cols-2">
        <WebhookUrlField
          id="new-destination-url"
          label="Slack webhook URL"
          required
          disabled={pending}
          hint="From Slack: Apps → Incoming Webhooks → Add New Webhook to Workspace. After saving, only its host and last four characters are shown."
          errors={fieldErrors?.webhookUrl}
        />
        <TextField
          id="new-destination-name"
          name="name"
          label="Name (optional)"
          autoComplete="off"
          disabled={pending}
          placeholder="#sales-daily"
          hint="Defaults to the webhook's last four characters."
          errors={fieldErrors?.name}
        />
      </div>
      <div className="flex items-start gap-3">
        <Checkbox id="new-destination-default" name="default" disabled={pending} aria-describedby="new-destination-default-hint" />
        <div className="flex flex-col gap-1">
          <Label htmlFor="new-destination-default">Make this the default destination</Label>
          <p id="new-destination-default-hint" className="text-muted-foreground text-xs">
            {isFirst
              ? "The first Slack destination always becomes the default (a test channel never does on its own)."
              : "There is one default at a time; this one would replace the current default."}
          </p>
        </div>
      </div>
      <Button type="submit" disabled={pending} className="self-start">
        <PlusIcon aria-hidden="true" />
        {pending ? "Adding…" : "Add destination"}
      </Button>
    </form>
  );
}
