"use client";

import { useActionState, useEffect, useState } from "react";
import { UserPlusIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import type { Role } from "@/db/schema/users";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { describedBy, FieldErrors, FormError } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { createUserAction } from "./actions";

type Values = { email: string; name: string; role: Role };
// React resets the form after each submission. What was typed (never the password) rides along as
// the fields' defaults, and `attempt` remounts the role select so its reset lands on that default.
type State = ActionResult<{ email: string }> & { values?: Values; attempt: number };

const DEFAULT_ROLE: Role = "viewer";
const initialState: State = { ok: false, attempt: 0 };

export function AddUserForm({
  minPasswordLength,
  roleDescriptions,
}: {
  minPasswordLength: number;
  roleDescriptions: Record<Role, string>;
}) {
  const [state, formAction, pending] = useActionState(async (prev: State, form: FormData): Promise<State> => {
    const attempt = prev.attempt + 1;
    const result = await createUserAction({ ok: false }, form);
    if (result.ok) return { ...result, attempt };
    const values: Values = {
      email: String(form.get("email") ?? ""),
      name: String(form.get("name") ?? ""),
      role: (String(form.get("role") ?? DEFAULT_ROLE) as Role) || DEFAULT_ROLE,
    };
    return { ...result, values, attempt };
  }, initialState);

  // After the commit, not in the action: by then the form has been reset and the list refreshed.
  useEffect(() => {
    if (state.ok) toast.success(`Added ${state.data.email}`);
  }, [state]);

  const values = state.ok ? undefined : state.values;
  // The role picked since the last submission; otherwise the select's default. Drives the hint.
  const [picked, setPicked] = useState<{ attempt: number; role: Role }>();
  const role = picked?.attempt === state.attempt ? picked.role : (values?.role ?? DEFAULT_ROLE);
  const fieldErrors = state.ok ? undefined : state.fieldErrors;
  const roleErrorId = fieldErrors?.role?.length ? "new-user-role-error" : undefined;

  return (
    <form action={formAction} noValidate className="flex flex-col gap-4">
      <FormError message={state.ok ? undefined : state.formError} />
      <div className="grid gap-4 md:grid-cols-2">
        <TextField
          id="new-user-email"
          name="email"
          label="Email"
          type="email"
          autoComplete="off"
          required
          defaultValue={values?.email}
          errors={fieldErrors?.email}
        />
        <TextField
          id="new-user-name"
          name="name"
          label="Name (optional)"
          autoComplete="off"
          defaultValue={values?.name}
          errors={fieldErrors?.name}
        />
        <TextField
          id="new-user-password"
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          hint={`At least ${minPasswordLength} characters.`}
          errors={fieldErrors?.password}
        />
        <div className="flex flex-col gap-2">
          <Label htmlFor="new-user-role">Role</Label>
          <Select
            key={state.attempt}
            name="role"
            defaultValue={values?.role ?? DEFAULT_ROLE}
            onValueChange={(value) => setPicked({ attempt: state.attempt, role: value as Role })}
          >
            <SelectTrigger
              id="new-user-role"
              className="w-full capitalize"
              aria-invalid={roleErrorId ? true : undefined}
              aria-describedby={describedBy(roleErrorId, "new-user-role-hint")}
            >
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {(Object.keys(roleDescriptions) as Role[]).map((value) => (
                <SelectItem key={value} value={value} className="capitalize">
                  {value}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <p id="new-user-role-hint" className="text-muted-foreground text-xs">
            {roleDescriptions[role] ?? ""}
          </p>
          <FieldErrors id="new-user-role-error" errors={fieldErrors?.role} />
        </div>
      </div>
      <Button type="submit" disabled={pending} className="self-start">
        <UserPlusIcon aria-hidden="true" />
        {pending ? "Adding…" : "Add user"}
      </Button>
    </form>
  );
}
