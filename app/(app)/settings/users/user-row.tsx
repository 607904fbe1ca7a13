"use client";

import { useActionState, useEffect, useState } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import type { Role } from "@/db/schema/users";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { TableCell, TableRow } from "@/components/ui/table";
import { ConfirmAction } from "@/components/confirm-action";
import { FormError } from "@/components/form-messages";
import { changeUserRoleAction, deactivateUserAction, reactivateUserAction } from "./actions";

const ROLES: Role[] = ["viewer", "editor", "admin"];

// `done` is fixed when the answer arrives: by the time it is shown the row has already flipped.
type ToggleState = ActionResult<{ email: string }> & { attempt: number; done?: "deactivated" | "reactivated" };
type RowUser = { id: string; email: string; name: string | null; role: Role; active: boolean };

export function UserRow({
  user,
  createdAt,
  createdLabel,
  isSelf,
}: {
  user: RowUser;
  createdAt: string;
  createdLabel: string;
  isSelf: boolean;
}) {
  return (
    <TableRow>
      <TableCell className="font-medium">
        {user.email}
        {isSelf ? <span className="text-muted-foreground ml-2 text-xs font-normal">(you)</span> : null}
      </TableCell>
      <TableCell>{user.name ?? <span className="text-muted-foreground">—</span>}</TableCell>
      <TableCell>
        {isSelf ? (
          <Badge variant="secondary" className="capitalize">
            {user.role}
          </Badge>
        ) : (
          <RoleForm user={user} />
        )}
      </TableCell>
      <TableCell>{user.active ? <Badge variant="outline">Active</Badge> : <Badge variant="secondary">Deactivated</Badge>}</TableCell>
      <TableCell>
        <time dateTime={createdAt}>{createdLabel}</time>
      </TableCell>
      <TableCell className="text-right">{isSelf ? null : <ActiveToggle user={user} />}</TableCell>
    </TableRow>
  );
}

function RoleForm({ user }: { user: RowUser }) {
  const [role, setRole] = useState<Role>(user.role);
  const [state, formAction, pending] = useActionState(changeUserRoleAction, { ok: false });
  useEffect(() => {
    if (state.ok) toast.success(`${state.data.email} is now ${/^[aeiou]/.test(state.data.role) ? "an" : "a"} ${state.data.role}`);
  }, [state]);
  const error = state.ok ? undefined : (state.formError ?? state.fieldErrors?.role?.join(" "));

  return (
    <form
      action={formAction}
      // React resets the form after each submission and the select then falls back to the role it
      // mounted with; show the saved role instead (this handler runs after the select's own).
      onReset={() => setRole(user.role)}
      className="flex flex-col gap-2"
    >
      <input type="hidden" name="userId" value={user.id} />
      <div className="flex items-center gap-2">
        <Select name="role" value={role} onValueChange={(value) => setRole(value as Role)} disabled={pending}>
          <SelectTrigger size="sm" className="w-28 capitalize" aria-label={`Role for ${user.email}`}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {ROLES.map((value) => (
              <SelectItem key={value} value={value} className="capitalize">
                {value}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <Button type="submit" size="sm" variant="secondary" disabled={pending || role === user.role}>
          {pending ? "Saving…" : "Save"}
          <span className="sr-only"> role for {user.email}</span>
        </Button>
      </div>
      <FormError message={error} className="max-w-xs whitespace-normal" />
    </form>
  );
}

function ActiveToggle({ user }: { user: RowUser }) {
  const [open, setOpen] = useState(false);
  const deactivating = user.active;
  const verb = deactivating ? "Deactivate" : "Reactivate";
  const [state, formAction, pending] = useActionState(
    async (prev: ToggleState, form: FormData): Promise<ToggleState> => {
      const action = deactivating ? deactivateUserAction : reactivateUserAction;
      const done = deactivating ? "deactivated" : "reactivated";
      return { ...(await action({ ok: false }, form)), attempt: prev.attempt + 1, done };
    },
    { ok: false, attempt: 0 },
  );
  useEffect(() => {
    if (!state.ok) return;
    toast.success(`${state.data.email} was ${state.done}`);
    setOpen(false);
  }, [state]);
  // A refusal stays on screen until the dialog is closed; reopening starts clean.
  const [dismissedAttempt, setDismissedAttempt] = useState(0);
  const error =
    !state.ok && state.attempt !== dismissedAttempt ? (state.formError ?? `Could not ${verb.toLowerCase()} this user`) : undefined;

  return (
    <ConfirmAction
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setDismissedAttempt(state.attempt);
      }}
      pending={pending}
      trigger={
        <Button size="sm" variant={deactivating ? "outline" : "secondary"}>
          {verb}
          <span className="sr-only"> {user.email}</span>
        </Button>
      }
      title={`${verb} ${user.email}?`}
      titleClassName="break-all"
      description={
        deactivating
          ? "They are signed out at once and cannot sign in until an admin reactivates them. Nothing they created is deleted."
          : "They can sign in again with their existing password and keep their current role."
      }
      error={error}
      confirm={{ label: verb, pendingLabel: `${verb.slice(0, -1)}ing…`, variant: deactivating ? "destructive" : "default" }}
      action={formAction}
      fields={{ userId: user.id }}
    />
  );
}
