"use client";

import { useActionState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { completeSetup } from "./actions";

// What was typed (never the passwords) rides along so the fields keep it after React resets the form.
type SetupState = ActionResult<{ email: string }> & { values?: { email: string; name: string } };

// Not lib/action-result's initialActionState: that module pulls the server logger into the bundle.
const initialState: SetupState = { ok: false };

export function SetupForm({ minPasswordLength, needsSetupToken }: { minPasswordLength: number; needsSetupToken: boolean }) {
  const router = useRouter();
  const [state, formAction, pending] = useActionState(async (prev: SetupState, form: FormData): Promise<SetupState> => {
    const values = { email: String(form.get("email") ?? ""), name: String(form.get("name") ?? "") };
    const result = await completeSetup(prev, form);
    if (!result.ok) return { ...result, values };
    // The password stays in this closure: the server never sends it back.
    const signedIn = await signIn("credentials", { redirect: false, email: values.email, password: String(form.get("password") ?? "") });
    router.push(signedIn?.ok ? "/" : "/login");
    router.refresh();
    return { ...result, values };
  }, initialState);

  const fieldErrors = state.ok ? undefined : state.fieldErrors;
  const busy = pending || state.ok;

  return (
    <form action={formAction} noValidate className="flex flex-col gap-4">
      <FormError message={state.ok ? undefined : state.formError} />
      {!state.ok && state.status === 409 ? (
        <p className="text-sm">
          <Link href="/login" className="underline underline-offset-4">
            Go to sign in
          </Link>
        </p>
      ) : null}
      {needsSetupToken || fieldErrors?.setupToken ? (
        <TextField
          id="setupToken"
          label="Setup token"
          autoComplete="off"
          spellCheck={false}
          required
          hint="You are not on the machine running Relayboard: enter the setup token it printed when it started."
          errors={fieldErrors?.setupToken}
        />
      ) : null}
      <TextField id="name" label="Name (optional)" autoComplete="name" defaultValue={state.values?.name} errors={fieldErrors?.name} />
      <TextField
        id="email"
        label="Email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email}
        errors={fieldErrors?.email}
      />
      <TextField
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${minPasswordLength} characters.`}
        errors={fieldErrors?.password}
      />
      <TextField
        id="confirmPassword"
        label="Confirm password"
        type="password"
        autoComplete="new-password"
        required
        errors={fieldErrors?.confirmPassword}
      />
      <Button type="submit" disabled={busy} className="w-full">
        {busy ? "Creating account…" : "Create admin account"}
      </Button>
    </form>
  );
}
