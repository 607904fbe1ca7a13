"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { createTokenAction, revokeTokenAction } from "./actions";

const ROLES = ["viewer", "editor", "admin"] as const;

export function CreateTokenForm({ maxRole }: { maxRole: (typeof ROLES)[number] }) {
  const [state, action, pending] = useActionState(createTokenAction, null);
  const allowed = ROLES.slice(0, ROLES.indexOf(maxRole) + 1);
  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  return (
    <form action={action} className="flex flex-col gap-4" aria-label="Create an API token">
      <div className="grid gap-4 sm:grid-cols-3">
        <div className="flex flex-col gap-2">
          <Label htmlFor="token-name">Name</Label>
          <Input
            id="token-name"
            name="name"
            required
            maxLength={80}
            placeholder="ci-deploy"
            aria-invalid={Boolean(errors.name)}
            aria-describedby={errors.name ? "token-name-error" : undefined}
          />
          {errors.name ? (
            <p id="token-name-error" className="text-destructive text-sm">
              {errors.name.join(" ")}
            </p>
          ) : null}
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="token-role">Role</Label>
          <select
            id="token-role"
            name="role"
            defaultValue={allowed.includes("editor") ? "editor" : "viewer"}
            className="border-input bg-background h-9 rounded-md border px-3 text-sm"
          >
            {allowed.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="token-expiry">Expires after (days, 0 = never)</Label>
          <Input id="token-expiry" name="expiresInDays" type="number" min={0} max={3650} defaultValue={90} />
        </div>
      </div>
      {state && !state.ok && state.formError ? (
        <p role="alert" data-testid="action-error" className="text-destructive text-sm">
          {state.formError}
        </p>
      ) : null}
      {state?.ok ? (
        <div role="status" className="rounded-md border border-emerald-500/40 bg-emerald-500/10 p-3 text-sm">
          <p className="font-medium">Token “{state.data.name}” created. Copy it now: it is not shown again.</p>
          <code data-testid="new-token" className="mt-2 block font-mono text-xs break-all select-all">
            {state.data.token}
          </code>
        </div>
      ) : null}
      <Button type="submit" disabled={pending} className="self-start">
        {pending ? "Creating…" : "Create token"}
      </Button>
    </form>
  );
}

export function RevokeTokenButton({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(revokeTokenAction, null);
  return (
    <form
      action={action}
      onSubmit={(e) => {
        if (!window.confirm(`Revoke the token “${name}”? Scripts using it stop working at once.`)) e.preventDefault();
      }}
    >
      <input type="hidden" name="id" value={id} />
      <Button type="submit" variant="outline" size="sm" disabled={pending}>
        {pending ? "Revoking…" : "Revoke"}
        <span className="sr-only"> token {name}</span>
      </Button>
      {state && !state.ok ? (
        <span role="alert" className="text-destructive ml-2 text-xs">
          {state.formError}
        </span>
      ) : null}
    </form>
  );
}
