import type { Metadata } from "next";
import Link from "next/link";
import { UsersIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { ROLE_DESCRIPTIONS } from "@/lib/auth/roles";
import { APP_VERSION } from "@/lib/env";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser();
  return (
    <>
      <PageHeader title="Settings" description="Your account and this Relayboard installation." />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Account</h2>
            </CardTitle>
            <CardDescription>The account you are signed in with.</CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-3 text-sm">
              <dt className="text-muted-foreground">Email</dt>
              <dd className="min-w-0 break-all">{user.email}</dd>
              <dt className="text-muted-foreground">Name</dt>
              <dd className="min-w-0 break-words">{user.name ?? <span className="text-muted-foreground">Not set</span>}</dd>
              <dt className="text-muted-foreground">Role</dt>
              <dd className="flex flex-col items-start gap-1">
                <Badge variant="secondary" className="capitalize">
                  {user.role}
                </Badge>
                <span className="text-muted-foreground">{ROLE_DESCRIPTIONS[user.role]}</span>
              </dd>
            </dl>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Installation</h2>
            </CardTitle>
            <CardDescription>The Relayboard release this server runs.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-3 text-sm">
              <dt className="text-muted-foreground">Version</dt>
              <dd className="font-mono">{APP_VERSION}</dd>
            </dl>
            <div className="flex flex-wrap gap-2">
              <Button asChild variant="outline">
                <Link href="/settings/tokens">API tokens</Link>
              </Button>
              <Button asChild variant="outline">
                <Link href="/api-docs">API reference</Link>
              </Button>
            </div>
            {user.role === "admin" ? (
              <Button asChild variant="outline" className="self-start">
                <Link href="/settings/users">
                  <UsersIcon aria-hidden="true" />
                  Manage users
                </Link>
              </Button>
            ) : null}
            {user.role === "admin" ? (
              <Button asChild variant="outline" className="self-start">
                <Link href="/settings/audit">Audit log</Link>
              </Button>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
