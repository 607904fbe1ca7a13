import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { isSetupComplete } from "@/lib/auth/users";
import { getSessionUser } from "@/lib/auth/session";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  if (!(await isSetupComplete())) redirect("/setup");
  if (await getSessionUser()) redirect("/");

  const params = await searchParams;
  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl leading-none font-semibold">Sign in</h1>
        <CardDescription>Use the email and password an admin gave you.</CardDescription>
      </CardHeader>
      <CardContent>
        <LoginForm callbackUrl={safeCallbackPath(first(params.callbackUrl))} urlError={first(params.error)} />
      </CardContent>
    </Card>
  );
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Only a path on this site is followed after sign-in: an absolute URL keeps just its path, so a
 * crafted link cannot send a fresh session to another origin.
 */
function safeCallbackPath(raw: string | undefined): string {
  if (!raw) return "/";
  try {
    const url = new URL(raw, "http://relayboard.invalid");
    const path = `${url.pathname}${url.search}${url.hash}`;
    if (!path.startsWith("/") || path.startsWith("//")) return "/";
    if (/^\/(login|setup|api)(\/|$)/.test(url.pathname)) return "/";
    return path;
  } catch {
    return "/";
  }
}
