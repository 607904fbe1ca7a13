import type { Metadata } from "next";
import Link from "next/link";
import { ScrollTextIcon } from "lucide-react";
import { requirePageRole } from "@/lib/auth/session";
import { listAuditEvents } from "@/db/queries/audit";
import { listUsers } from "@/db/queries/users";
import { AUDIT_ACTIONS } from "@/lib/audit";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { PageHeader } from "@/components/page-header";
import { EmptyState } from "@/components/empty-state";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 50;

type Search = { action?: string; actor?: string; since?: string; before?: string };

/** Admin-only, read-only: who did what and when. Entries cannot be edited (a trigger refuses). */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageRole("admin");
  const params = await searchParams;
  const action = (AUDIT_ACTIONS as readonly string[]).includes(params.action ?? "") ? params.action : undefined;
  const since = params.since && /^\d{4}-\d{2}-\d{2}$/.test(params.since) ? new Date(`${params.since}T00:00:00Z`) : undefined;
  const beforeId = params.before && /^\d+$/.test(params.before) ? Number(params.before) : undefined;
  const actorEmail = params.actor?.trim() || undefined;
  const [events, users] = await Promise.all([listAuditEvents({ action, actorEmail, since, beforeId }, PAGE_SIZE + 1), listUsers()]);
  const emailById = new Map(users.map((u) => [u.id, u.email]));
  const page = events.slice(0, PAGE_SIZE);
  const older = events.length > PAGE_SIZE ? page.at(-1)!.id : null;
  const query = (extra: Record<string, string>) =>
    `?${new URLSearchParams(Object.entries({ action: action ?? "", actor: actorEmail ?? "", since: params.since ?? "", ...extra }).filter(([, v]) => v)).toString()}`;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Sign-ins, user and token changes, and every change to datasets, models, destinations, pipelines and runs."
      />
      <Card className="mb-4">
        <CardContent className="pt-6">
          <form method="get" className="grid gap-4 sm:grid-cols-4" aria-label="Filter the audit log">
            <div className="flex flex-col gap-2">
              <Label htmlFor="audit-action">Event</Label>
              <select
                id="audit-action"
                name="action"
                defaultValue={action ?? ""}
                className="border-input bg-background h-9 rounded-md border px-3 text-sm"
              >
                <option value="">All events</option>
                {AUDIT_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="audit-actor">Who (email)</Label>
              <Input id="audit-actor" name="actor" type="email" defaultValue={actorEmail ?? ""} />
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="audit-since">Since (UTC date)</Label>
              <Input id="audit-since" name="since" type="date" defaultValue={params.since ?? ""} />
            </div>
            <div className="flex items-end gap-2">
              <Button type="submit">Filter</Button>
              <Button asChild variant="ghost">
                <Link href="/settings/audit">Clear</Link>
              </Button>
            </div>
          </form>
        </CardContent>
      </Card>
      {page.length === 0 ? (
        <EmptyState icon={ScrollTextIcon} title="No audit events" description="Nothing matches these filters yet." />
      ) : (
        <div className="overflow-x-auto rounded-md border">
          <table className="w-full text-sm" data-testid="audit-table">
            <thead>
              <tr className="text-muted-foreground text-left">
                <th className="px-3 py-2 font-medium">When (UTC)</th>
                <th className="px-3 py-2 font-medium">Who</th>
                <th className="px-3 py-2 font-medium">Event</th>
                <th className="px-3 py-2 font-medium">Target</th>
                <th className="px-3 py-2 font-medium">Details</th>
              </tr>
            </thead>
            <tbody>
              {page.map((e) => (
                <tr key={e.id} className="border-t align-top" data-testid="audit-row">
                  <td className="px-3 py-2 whitespace-nowrap tabular-nums">{e.at.toISOString().replace("T", " ").slice(0, 19)}</td>
                  <td className="px-3 py-2 break-all">
                    {e.actorEmail ?? (e.actorId ? emailById.get(e.actorId) : null) ?? "—"}
                    {e.ip ? <span className="text-muted-foreground block text-xs">{e.ip}</span> : null}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
                  <td className="px-3 py-2 break-all">{e.targetType ? `${e.targetType}${e.targetName ? ` ${e.targetName}` : ""}` : "—"}</td>
                  <td className="text-muted-foreground px-3 py-2 font-mono text-xs break-all">
                    {Object.keys(e.details).length ? JSON.stringify(e.details) : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {older ? (
        <Button asChild variant="outline" className="mt-4">
          <Link href={`/settings/audit${query({ before: String(older) })}`}>Older</Link>
        </Button>
      ) : null}
    </>
  );
}
