import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon } from "lucide-react";
import { requirePageRole } from "@/lib/auth/session";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/page-header";
import type { CompletionData } from "@/components/models/sql-completion";
import { loadCompletion } from "../load-completion";
import { ModelEditor } from "../model-editor";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New model" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function NewModelPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePageRole("editor");
  const [completion, params] = await Promise.all([loadCompletion(), searchParams]);
  const initialSql = startingSql(params.ref, completion);
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
      <ModelEditor model={null} canEdit completion={completion} initialSql={initialSql} />
    </>
  );
}

/**
 * `?ref=<name>` ("New model from this dataset"): a SELECT over that dataset or model. Only a name
 * that exists is taken, so a link cannot put arbitrary SQL into someone's editor.
 */
function startingSql(raw: string | string[] | undefined, completion: CompletionData): string | undefined {
  const name = typeof raw === "string" ? raw : undefined;
  if (!name || !(completion.datasets.includes(name) || completion.models.includes(name))) return undefined;
  return `select * from {{ ref('${name}') }}\n`;
}
