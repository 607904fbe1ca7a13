import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon } from "lucide-react";
import { requirePageRole } from "@/lib/auth/session";
import { getLogger } from "@/lib/log";
import { TEMPLATE_VARIABLES } from "@/lib/slack/render";
import { SAMPLE_VALUES } from "@/lib/slack/preview";
import { listRelationColumns } from "@/lib/transform/catalog-columns";
import { listDatasets } from "@/db/queries/datasets";
import { listModels } from "@/db/queries/models";
import { getPipelineById } from "@/db/queries/pipelines";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/page-header";
import { TemplateEditor, type InitialTemplate } from "./template-editor";
import type { TableSource } from "./table-fields";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Message preview" };

/** Relayboard's own bookkeeping columns, which the sender leaves out of tables too. */
const INTERNAL_COLUMN = /^_rb_/;

async function warehouseColumns(): Promise<Record<string, string[]>> {
  try {
    return (await listRelationColumns()).warehouse;
  } catch (err) {
    // The picker still works without column names: they can be typed instead.
    getLogger().warn({ err }, "could not list warehouse columns for the message preview");
    return {};
  }
}

/** `?pipeline=<id>&message=<n>` opens message n (from 1) of a pipeline; anything else, a new template. */
const openedFrom = z.object({
  pipeline: z.uuid(),
  message: z.coerce.number().int().min(1).max(100).default(1),
});

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

async function pipelineTemplate(params: Awaited<SearchParams>): Promise<{ initial: InitialTemplate; from: string } | null> {
  const parsed = openedFrom.safeParse(params);
  if (!parsed.success) return null;
  const pipeline = await getPipelineById(parsed.data.pipeline);
  const delivery = pipeline?.deliveries[parsed.data.message - 1];
  if (!pipeline || !delivery) return null;
  return { initial: delivery.template, from: `message ${parsed.data.message} of the pipeline “${pipeline.name}”` };
}

export default async function MessagePreviewPage({ searchParams }: { searchParams: SearchParams }) {
  // Previews read warehouse rows through an editor-only action; viewers have nothing to do here.
  await requirePageRole("editor");
  const [models, datasets, columns, opened] = await Promise.all([
    listModels(),
    listDatasets(),
    warehouseColumns(),
    searchParams.then(pipelineTemplate),
  ]);

  const columnsOf = (name: string) => columns[name]?.filter((c) => !INTERNAL_COLUMN.test(c)) ?? null;
  const modelNames = new Set(models.map((m) => m.name));
  // Both live in the warehouse under their own name; a table can come from either.
  const sources: TableSource[] = [
    ...models.map((m) => ({ name: m.name, kind: "model" as const, columns: columnsOf(m.name) })),
    ...datasets.filter((d) => !modelNames.has(d.name)).map((d) => ({ name: d.name, kind: "dataset" as const, columns: columnsOf(d.name) })),
  ];
  const samples = Object.fromEntries(
    TEMPLATE_VARIABLES.map((v) => [
      v,
      v === "now" ? "the current time" : v === "run.url" ? "a link to the run" : String(SAMPLE_VALUES[v] ?? ""),
    ]),
  );

  return (
    <>
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link href="/destinations">
            <ArrowLeftIcon aria-hidden="true" />
            All destinations
          </Link>
        </Button>
      </div>
      <PageHeader
        title="Message preview"
        description={
          opened
            ? `The template of ${opened.from}, with sample values and the model's real rows. Edits here are not saved to the pipeline.`
            : "Write a message template and see the exact Block Kit a pipeline would post: variables take sample values, the table shows the model's real rows."
        }
      />
      <TemplateEditor sources={sources} variables={[...TEMPLATE_VARIABLES]} samples={samples} initial={opened?.initial} />
    </>
  );
}
