import type { Metadata } from "next";
import Link from "next/link";
import { PlusIcon, SendIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Destinations" };

export default async function DestinationsPage() {
  const user = await requireUser();
  const canEdit = roleAtLeast(user.role, "editor");
  return (
    <>
      <PageHeader title="Destinations" description="The Slack channels that pipelines deliver to." />
      <EmptyState
        icon={SendIcon}
        title="No destinations yet"
        description="A destination is a Slack incoming webhook; Relayboard stores it encrypted and posts each pipeline's messages there."
      >
        {canEdit ? (
          <Button asChild>
            <Link href="/destinations/new">
              <PlusIcon aria-hidden="true" />
              Add a Slack destination
            </Link>
          </Button>
        ) : (
          <p className="text-muted-foreground text-sm">Ask an editor or admin to add the first destination.</p>
        )}
      </EmptyState>
    </>
  );
}
