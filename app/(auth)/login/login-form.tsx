"use client";

import { useActionState } from "react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { CircleAlertIcon } from "lucide-react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

const MESSAGES = {
  RateLimited: "Too many failed sign-in attempts. Try again in 15 minutes.",
  CredentialsSignin: "Email or password is incorrect.",
  generic: "Sign-in failed. Please try again.",
} as const;

type ErrorKind = keyof typeof MESSAGES;
type LoginState = { error: ErrorKind | null; email: string; signedIn?: boolean };

function errorKindFromUrl(error: string | undefined): ErrorKind | null {
  if (!error) return null;
  if (error === "RateLimited" || error === "CredentialsSignin") return error;
  return "generic";
}

export function LoginForm({ callbackUrl, urlError }: { callbackUrl: string; urlError?: string }) {
  const router = useRouter();
  // A form action (not onSubmit): before hydration React renders an inert action, so an early
  // Enter can never fall back to a GET that would put the password in the URL.
  const [state, formAction, pending] = useActionState(
    async (_prev: LoginState, form: FormData): Promise<LoginState> => {
      const email = String(form.get("email") ?? "");
      try {
        const result = await signIn("credentials", { redirect: false, email, password: String(form.get("password") ?? "") });
        if (result?.ok && !result.error) {
          router.push(callbackUrl || "/");
          router.refresh();
          return { error: null, email, signedIn: true };
        }
        if (result?.status === 429 || result?.error === "RateLimited") return { error: "RateLimited", email };
        if (result?.error === "CredentialsSignin" || result?.status === 401) return { error: "CredentialsSignin", email };
        return { error: "generic", email };
      } catch {
        return { error: "generic", email };
      }
    },
    { error: errorKindFromUrl(urlError), email: "" },
  );

  // Wrong credentials mark both fields: which one was wrong is deliberately not revealed.
  const invalid = state.error === "CredentialsSignin" || undefined;
  const errorId = "login-error";
  const describedBy = state.error ? errorId : undefined;
  const busy = pending || state.signedIn;

  return (
    <form action={formAction} className="flex flex-col gap-4">
      {state.error ? (
        <Alert variant="destructive" id={errorId}>
          <CircleAlertIcon aria-hidden="true" />
          <AlertDescription>{MESSAGES[state.error]}</AlertDescription>
        </Alert>
      ) : null}
      <div className="flex flex-col gap-2">
        <Label htmlFor="email">Email</Label>
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.email}
          aria-invalid={invalid}
          aria-describedby={describedBy}
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="password">Password</Label>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={invalid}
          aria-describedby={describedBy}
        />
      </div>
      <Button type="submit" disabled={busy} className="w-full">
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
