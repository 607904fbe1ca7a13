import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientFromHeaders } from "@/lib/auth/client-address";
import { isSetupComplete } from "@/lib/auth/users";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/passwords";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up Relayboard" };

export default async function SetupPage() {
  // Setup closes for good once the first user exists.
  if (await isSetupComplete()) redirect("/login");
  // Only decides whether to show the token field; completeSetup checks again for itself.
  const needsSetupToken = !clientFromHeaders(await headers()).loopback;

  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl leading-none font-semibold">Set up Relayboard</h1>
        <CardDescription>Create the first admin account. You can add more users once you are signed in.</CardDescription>
      </CardHeader>
      <CardContent>
        <SetupForm minPasswordLength={MIN_PASSWORD_LENGTH} needsSetupToken={needsSetupToken} />
      </CardContent>
    </Card>
  );
}
