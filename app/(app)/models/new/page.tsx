import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon } from "lucide-react";
import { requirePageRole } from "@/lib/auth/session";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/page-header";
import { loadCompletion } from "../load-completion";
import { ModelEditor } from "../model-editor";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New model" };

export default async function NewModelPage() {
  await requirePageRole("editor");
  const completion = await loadCompletion();
  return (
    <>
      <PageHeader
        title="New model"
        description="Write a SELECT over your datasets and models; compile and preview it, then save and build it into the warehouse."
        actions={
          <Button asChild variant="ghost">
            <Link href="/models">
              <ArrowLeftIcon aria-hidden="true" />
              All models
            </Link>
          </Button>
        }
      />
      <ModelEditor model={null} canEdit completion={completion} />
    </>
  );
}
