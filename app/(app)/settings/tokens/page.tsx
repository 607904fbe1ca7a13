import type { Metadata } from "next";
import Link from "next/link";
import { KeyRoundIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { listApiTokensForUser } from "@/db/queries/api-tokens";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { EmptyState } from "@/components/empty-state";
import { CreateTokenForm, RevokeTokenButton } from "./token-forms";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

function when(d: Date | null): string {
  return d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—";
}

export default async function TokensPage() {
  const user = await requireUser();
  const tokens = await listApiTokensForUser(user.id);
  return (
    <>
      <PageHeader title="API tokens" description="Personal tokens for scripts and CI. A token never has more rights than you." />
      <div className="flex flex-col gap-4">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>New token</h2>
            </CardTitle>
            <CardDescription>
              Send it as <code>Authorization: Bearer rb_…</code>. See the{" "}
              <Link className="underline" href="/api-docs">
                API reference
              </Link>
              .
            </CardDescription>
          </CardHeader>
          <CardContent>
            <CreateTokenForm maxRole={user.role} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Your tokens</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            {tokens.length === 0 ? (
              <EmptyState icon={KeyRoundIcon} title="No tokens yet" description="Create one above to use the REST API from scripts." />
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-sm" data-testid="tokens-table">
                  <thead>
                    <tr className="text-muted-foreground text-left">
                      <th className="py-2 pr-4 font-medium">Name</th>
                      <th className="py-2 pr-4 font-medium">Token</th>
                      <th className="py-2 pr-4 font-medium">Role</th>
                      <th className="py-2 pr-4 font-medium">Last used</th>
                      <th className="py-2 pr-4 font-medium">Expires</th>
                      <th className="py-2 pr-4 font-medium">Status</th>
                      <th className="py-2 font-medium">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {tokens.map((t) => {
                      const expired = t.expiresAt !== null && t.expiresAt.getTime() < Date.now();
                      const status = t.revokedAt ? "revoked" : expired ? "expired" : "active";
                      return (
                        <tr key={t.id} className="border-t">
                          <td className="py-2 pr-4">{t.name}</td>
                          <td className="py-2 pr-4 font-mono text-xs">{t.displayPrefix}…</td>
                          <td className="py-2 pr-4 capitalize">{t.role}</td>
                          <td className="py-2 pr-4">{when(t.lastUsedAt)}</td>
                          <td className="py-2 pr-4">{t.expiresAt ? when(t.expiresAt) : "never"}</td>
                          <td className="py-2 pr-4">
                            <Badge variant={status === "active" ? "secondary" : "outline"}>{status}</Badge>
                          </td>
                          <td className="py-2">{status === "active" ? <RevokeTokenButton id={t.id} name={t.name} /> : null}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
