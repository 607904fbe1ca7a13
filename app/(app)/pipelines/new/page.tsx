import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon, DatabaseIcon, PlusIcon } from "lucide-react";
import { requirePageRole } from "@/lib/auth/session";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { loadFormOptions } from "../form-options";
import { emptyDraft } from "../form-types";
import { PipelineForm } from "../pipeline-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New pipeline" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function NewPipelinePage({ searchParams }: { searchParams: SearchParams }) {
  // Only editors can save one; viewers have nothing to do here.
  await requirePageRole("editor");
  const [options, params] = await Promise.all([loadFormOptions(), searchParams]);
  const wanted = typeof params.dataset === "string" ? params.dataset : "";
  const datasetId = options.datasets.some((d) => d.id === wanted) ? wanted : options.datasets.length === 1 ? options.datasets[0]!.id : "";

  return (
    <>
      <Link
        href="/pipelines"
        className="text-muted-foreground hover:text-foreground focus-visible:ring-ring/50 -mb-2 inline-flex w-fit items-center gap-1 rounded-sm text-sm outline-none focus-visible:ring-[3px]"
      >
        <ArrowLeftIcon className="size-4" aria-hidden="true" />
        All pipelines
      </Link>
      <PageHeader
        title="New pipeline"
        description="Refresh a dataset, build its models and post the results to Slack, by hand or on a schedule."
      />
      {options.datasets.length === 0 ? (
        <EmptyState
          icon={DatabaseIcon}
          title="Register a dataset first"
          description="A pipeline starts from a dataset. Registering one also creates its default pipeline, which you can then change or copy."
        >
          <Button asChild>
            <Link href="/datasets/new">
              <PlusIcon aria-hidden="true" />
              Register a dataset
            </Link>
          </Button>
        </EmptyState>
      ) : (
        <Card>
          <CardContent>
            <PipelineForm pipelineId={null} initial={emptyDraft(datasetId)} options={options} />
          </CardContent>
        </Card>
      )}
    </>
  );
}
