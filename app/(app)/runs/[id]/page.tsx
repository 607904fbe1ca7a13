import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeftIcon } from "lucide-react";
import { z } from "zod";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { getRunDetail } from "@/lib/pipeline/run-view";
import { listPublicDestinations } from "@/lib/slack/destinations";
import { getDatasetById, listDatasetVersions } from "@/db/queries/datasets";
import { getPipelineById } from "@/db/queries/pipelines";
import { RunLive } from "./run-live";
import { SampleRunMessages } from "../../onboarding/sample-messages";

export const dynamic = "force-dynamic";

type Params = Promise<{ id: string }>;

const isUuid = (id: string) => z.string().uuid().safeParse(id).success;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: isUuid(id) ? `Run ${id.slice(0, 8)}` : "Run" };
}

export default async function RunPage({ params }: { params: Params }) {
  const user = await requireUser();
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const detail = await getRunDetail(id);
  if (!detail) notFound();

  const pipeline = await getPipelineById(detail.run.pipelineId);
  const dataset = pipeline ? await getDatasetById(pipeline.datasetId) : null;
  const [versions, destinations] = await Promise.all([dataset ? listDatasetVersions(dataset.id) : [], listPublicDestinations()]);

  return (
    <>
      <Link
        href={pipeline ? `/runs?pipeline=${pipeline.id}` : "/runs"}
        className="text-muted-foreground hover:text-foreground focus-visible:ring-ring/50 -mb-2 inline-flex w-fit items-center gap-1 rounded-sm text-sm outline-none focus-visible:ring-[3px]"
      >
        <ArrowLeftIcon className="size-4" aria-hidden="true" />
        {pipeline ? `Runs of ${pipeline.name}` : "All runs"}
      </Link>
      <RunLive
        initial={detail}
        context={{
          pipeline: pipeline ? { id: pipeline.id, name: pipeline.name } : null,
          dataset: dataset ? { name: dataset.name } : null,
          versionNumbers: Object.fromEntries(versions.map((v) => [v.id, v.version])),
          destinationNames: Object.fromEntries(destinations.map((d) => [d.id, d.name])),
          canEdit: roleAtLeast(user.role, "editor"),
          renderedAt: new Date().toISOString(),
        }}
      />
      <SampleRunMessages runId={id} />
    </>
  );
}
