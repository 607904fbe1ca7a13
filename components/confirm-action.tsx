"use client";

import type { ReactNode } from "react";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";

type Confirm = {
  label: string;
  /** Shown on the button while the action runs ("Deleting…"). */
  pendingLabel: string;
  variant?: "destructive" | "default";
  /** Refused before asking the server (e.g. a model others still ref); the description says why. */
  disabled?: boolean;
  testId?: string;
};

/** Either a server action the dialog's form posts (with hidden fields), or a click handler. */
type Run =
  | { action: (form: FormData) => void; fields?: Record<string, string | readonly string[]>; onSubmit?: () => void; onConfirm?: never }
  | { onConfirm: () => void; action?: never; fields?: never; onSubmit?: never };

/**
 * "Are you sure?" before an action that cannot be undone (delete, deactivate, cancel, restore).
 * The confirm button is a plain submit or button, not AlertDialogAction, so the dialog stays open
 * until the server answers: a refusal is shown in it, and while the action runs neither Escape,
 * a click outside nor Cancel closes it. The caller owns `open`, `pending` and `error`.
 */
export function ConfirmAction({
  open,
  onOpenChange,
  pending,
  trigger,
  title,
  titleClassName,
  description,
  error,
  errorClassName,
  cancelLabel = "Cancel",
  confirm,
  ...run
}: {
  open: boolean;
  /** Not called while the action runs. */
  onOpenChange: (open: boolean) => void;
  pending: boolean;
  /** The button that opens the dialog. */
  trigger: ReactNode;
  title: ReactNode;
  titleClassName?: string;
  /** What happens, and what goes with it. */
  description: ReactNode;
  error?: string;
  errorClassName?: string;
  cancelLabel?: string;
  confirm: Confirm;
} & Run) {
  const body = (
    <>
      <AlertDialogHeader>
        <AlertDialogTitle className={titleClassName}>{title}</AlertDialogTitle>
        <AlertDialogDescription asChild>
          <div className="grid gap-3">{description}</div>
        </AlertDialogDescription>
      </AlertDialogHeader>
      <FormError message={error} className={errorClassName} />
      <AlertDialogFooter>
        <AlertDialogCancel type="button" disabled={pending}>
          {cancelLabel}
        </AlertDialogCancel>
        <Button
          type={run.action ? "submit" : "button"}
          onClick={run.onConfirm}
          variant={confirm.variant ?? "destructive"}
          disabled={pending || confirm.disabled}
          data-testid={confirm.testId}
        >
          {pending ? confirm.pendingLabel : confirm.label}
        </Button>
      </AlertDialogFooter>
    </>
  );
  return (
    <AlertDialog
      open={open}
      onOpenChange={(next) => {
        if (!pending) onOpenChange(next);
      }}
    >
      <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger>
      <AlertDialogContent>
        {run.action ? (
          <form action={run.action} onSubmit={run.onSubmit} className="grid gap-4">
            {Object.entries(run.fields ?? {}).flatMap(([name, value]) =>
              (typeof value === "string" ? [value] : value).map((v) => <input key={`${name}:${v}`} type="hidden" name={name} value={v} />),
            )}
            {body}
          </form>
        ) : (
          body
        )}
      </AlertDialogContent>
    </AlertDialog>
  );
}
