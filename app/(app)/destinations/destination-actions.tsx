"use client";

import { startTransition, useActionState, useEffect, useState, type FormEvent } from "react";
import { CircleAlertIcon, CircleCheckIcon, PencilIcon, SendIcon, StarIcon, Trash2Icon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { ConfirmAction } from "@/components/confirm-action";
import { FormError } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { WebhookUrlField } from "@/components/destinations/webhook-url-field";
import { cn } from "@/lib/utils";
import {
  deleteDestinationAction,
  editDestinationAction,
  makeDefaultDestinationAction,
  sendTestMessageAction,
  type SavedDestination,
  type TestMessageResult,
} from "./actions";
import { topMessage } from "./form-errors";

/** What the row knows about a destination: never the URL, only its masked form. */
export type DestinationSummary = { id: string; name: string; webhookUrlMasked: string; default: boolean };

type Attempted<T> = ActionResult<T> & { attempt: number };

/** The editor's buttons for one destination, with the test message's answer shown below them. */
export function DestinationActions({
  destination,
  afterDelete = "stay",
  className,
}: {
  destination: DestinationSummary;
  /** On the detail page a deleted destination has nowhere to stay: go back to the list. */
  afterDelete?: "stay" | "list";
  className?: string;
}) {
  const [test, testAction, testing] = useActionState(
    async (prev: Attempted<TestMessageResult>, form: FormData): Promise<Attempted<TestMessageResult>> => ({
      ...(await sendTestMessageAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );
  const [makeDefault, makeDefaultAction, makingDefault] = useActionState(
    async (prev: Attempted<SavedDestination>, form: FormData): Promise<Attempted<SavedDestination>> => ({
      ...(await makeDefaultDestinationAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );

  useEffect(() => {
    if (!test.ok) return;
    if (test.data.status === "sent")
      toast.success(`Test message sent to ${destination.name}`, { description: `Slack answered “${test.data.answer}”` });
    else toast.error(`Test message to ${destination.name} failed`, { description: `Slack answered “${test.data.answer}”` });
    // Only a new answer is announced, not a re-render with a new name.
  }, [test]);
  useEffect(() => {
    if (makeDefault.ok) toast.success(`${makeDefault.data.name} is now the default destination`);
  }, [makeDefault]);

  const error = !makeDefault.ok && makeDefault.attempt > 0 ? makeDefault.formError : undefined;
  const testError = !test.ok && test.attempt > 0 ? (test.formError ?? "Could not send the test message") : undefined;

  return (
    <div className={cn("flex min-w-0 flex-col gap-2", className)}>
      <div className="flex flex-wrap gap-2">
        <form action={testAction}>
          <input type="hidden" name="id" value={destination.id} />
          <Button type="submit" size="sm" variant="outline" disabled={testing}>
            <SendIcon aria-hidden="true" />
            {testing ? "Sending…" : "Send test message"}
            <span className="sr-only"> to {destination.name}</span>
          </Button>
        </form>
        {destination.default ? null : (
          <form action={makeDefaultAction}>
            <input type="hidden" name="id" value={destination.id} />
            <Button type="submit" size="sm" variant="outline" disabled={makingDefault}>
              <StarIcon aria-hidden="true" />
              {makingDefault ? "Saving…" : "Make default"}
              <span className="sr-only"> {destination.name}</span>
            </Button>
          </form>
        )}
        <EditDestinationDialog destination={destination} />
        <DeleteDestinationDialog destination={destination} afterDelete={afterDelete} />
      </div>
      <div role="status" aria-live="polite" className="empty:hidden">
        {testing ? (
          <p className="text-muted-foreground text-sm">Sending a test message…</p>
        ) : test.ok ? (
          <TestResult result={test.data} />
        ) : null}
      </div>
      <FormError message={testError ?? error} className="whitespace-normal" />
    </div>
  );
}

function TestResult({ result }: { result: TestMessageResult }) {
  const sent = result.status === "sent";
  return (
    <p
      data-testid="test-result"
      data-status={result.status}
      className={cn(
        "flex items-start gap-1.5 text-sm break-words whitespace-normal",
        sent ? "text-emerald-800 dark:text-emerald-300" : "text-destructive",
      )}
    >
      {sent ? (
        <CircleCheckIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      ) : (
        <CircleAlertIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      )}
      <span>
        {sent ? "Test message sent. " : result.status === "skipped" ? "Test message skipped. " : "Test message failed. "}
        Slack answered <q className="font-mono">{result.answer}</q>
        {!sent && result.permanent ? " — the destination is marked as needing attention until its URL is replaced." : null}
      </span>
    </p>
  );
}

function EditDestinationDialog({ destination }: { destination: DestinationSummary }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={open} onOpenChange={(next) => (busy ? undefined : setOpen(next))}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          <PencilIcon aria-hidden="true" />
          Edit
          <span className="sr-only"> {destination.name}</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        {/* Mounted only while open, so every opening starts from the saved values and no errors. */}
        <EditDestinationForm destination={destination} onBusy={setBusy} onSaved={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

function EditDestinationForm({
  destination,
  onBusy,
  onSaved,
}: {
  destination: DestinationSummary;
  onBusy: (busy: boolean) => void;
  onSaved: () => void;
}) {
  const [state, formAction, pending] = useActionState(
    async (prev: Attempted<SavedDestination>, form: FormData): Promise<Attempted<SavedDestination>> => ({
      ...(await editDestinationAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: false, attempt: 0 },
  );
  useEffect(() => onBusy(pending), [pending, onBusy]);
  useEffect(() => {
    if (!state.ok) return;
    toast.success(`Saved ${state.data.name}`, { description: `Webhook: ${state.data.webhookUrlMasked}` });
    onSaved();
    // Once per answer: onSaved is a new function on every render of the dialog.
  }, [state]);

  // By hand, so a refused URL stays in the field to be corrected instead of being cleared.
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => formAction(form));
  };
  const fieldErrors = state.ok ? undefined : state.fieldErrors;
  const idPrefix = `edit-destination-${destination.id}`;

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <DialogHeader>
        <DialogTitle className="break-all">Edit {destination.name}</DialogTitle>
        <DialogDescription>
          Current webhook: <span className="font-mono break-all">{destination.webhookUrlMasked}</span>
        </DialogDescription>
      </DialogHeader>
      <FormError message={state.ok ? undefined : topMessage(state.formError, fieldErrors)} />
      <input type="hidden" name="id" value={destination.id} />
      <TextField
        id={`${idPrefix}-name`}
        name="name"
        label="Name"
        autoComplete="off"
        required
        disabled={pending}
        defaultValue={destination.name}
        errors={fieldErrors?.name}
      />
      <WebhookUrlField
        id={`${idPrefix}-url`}
        label="New webhook URL (optional)"
        disabled={pending}
        hint="Leave empty to keep the current URL; a new URL replaces it entirely."
        errors={fieldErrors?.webhookUrl}
      />
      <DialogFooter>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function DeleteDestinationDialog({ destination, afterDelete }: { destination: DestinationSummary; afterDelete: "stay" | "list" }) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState(
    async (prev: Attempted<{ id: string }>, form: FormData): Promise<Attempted<{ id: string }>> => {
      const result = await deleteDestinationAction({ ok: false }, form);
      // Here rather than in an effect: once deleted, this row is gone before effects would run.
      if (result.ok) toast.success(`Deleted ${destination.name}`);
      return { ...result, attempt: prev.attempt + 1 };
    },
    { ok: false, attempt: 0 },
  );
  // A refusal stays on screen until the dialog is closed; reopening starts clean.
  const [dismissedAttempt, setDismissedAttempt] = useState(0);
  const error = !state.ok && state.attempt !== dismissedAttempt ? (state.formError ?? "Could not delete this destination") : undefined;

  return (
    <ConfirmAction
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setDismissedAttempt(state.attempt);
      }}
      pending={pending}
      trigger={
        <Button size="sm" variant="outline" className="text-destructive hover:text-destructive">
          <Trash2Icon aria-hidden="true" />
          Delete
          <span className="sr-only"> {destination.name}</span>
        </Button>
      }
      title={`Delete ${destination.name}?`}
      titleClassName="break-all"
      description={
        <p>
          Relayboard forgets the webhook URL and this destination&apos;s delivery history. The Slack webhook itself keeps working until you
          remove it in Slack.
          {destination.default ? " This is the default destination; make another one the default afterwards." : ""}
        </p>
      }
      error={error}
      confirm={{ label: "Delete", pendingLabel: "Deleting…" }}
      action={formAction}
      fields={afterDelete === "list" ? { id: destination.id, then: "list" } : { id: destination.id }}
    />
  );
}
