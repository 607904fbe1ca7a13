import { getEnv } from "@/lib/env";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeftIcon, NetworkIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { getDatasetByName } from "@/db/queries/datasets";
import { getModelByName, listBatchBuilds, listLatestBuilds, listModelRevisions } from "@/db/queries/models";
import { listUsers } from "@/db/queries/users";
import { nameFromPathSegment } from "@/lib/validation/path-params";
import { modelDependents } from "@/lib/lifecycle/dependents";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/page-header";
import { toBuildView } from "@/components/models/build-view";
import { DeleteModelButton } from "../delete-model-button";
import { loadCompletion } from "../load-completion";
import { ModelEditor } from "../model-editor";
import { snapshotInWords } from "../editor-state";
import type { RevisionView } from "../revisions-panel";
import { TypedModelView } from "./typed-model-view";

export const dynamic = "force-dynamic";

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: nameFromPathSegment((await params).name) ?? "Model" };
}

const MATERIALIZATION_TEXT = {
  view: "a view",
  table: "a table",
  incremental: "an incremental table",
  snapshot: "a snapshot (every version of every row)",
} as const;

export default async function ModelPage({ params }: { params: Params }) {
  const user = await requireUser();
  // A segment that cannot be a name (NUL, malformed escapes) is a plain 404, never a failed query.
  const name = nameFromPathSegment((await params).name);
  if (name === null) notFound();
  const model = await getModelByName(name);
  if (!model) {
    // No model by that name: a dataset's generated typed model, read-only.
    const dataset = await getDatasetByName(name);
    if (!dataset) notFound();
    return <TypedModelView dataset={dataset} />;
  }

  const canEdit = roleAtLeast(user.role, "editor");
  const [revisionRows, users, [latest], completion, dependents] = await Promise.all([
    listModelRevisions(model.id),
    listUsers(),
    listLatestBuilds([model.name]),
    loadCompletion(),
    // For the delete dialog, which only editors get.
    canEdit ? modelDependents(model.name) : null,
  ]);
  const batch = latest ? await listBatchBuilds(latest.batchId) : [];
  const who = new Map(users.map((u) => [u.id, u.name ? `${u.name} (${u.email})` : u.email]));
  const revisions: RevisionView[] = revisionRows.map((r) => ({
    revision: r.revision,
    author: r.createdBy ? (who.get(r.createdBy) ?? null) : null,
    createdAt: r.createdAt.toISOString(),
    content: {
      description: r.description,
      sql: r.sql,
      materialization: r.materialization,
      uniqueKey: r.uniqueKey,
      snapshot: r.snapshot,
      columnDescriptions: r.columnDescriptions,
      tests: r.tests,
    },
  }));

  return (
    <>
      <PageHeader
        title={model.name}
        description={[
          model.description || `A model built as ${MATERIALIZATION_TEXT[model.materialization]} in the warehouse.`,
          model.materialization === "snapshot" ? snapshotInWords(model.snapshot, model.uniqueKey) : "",
        ]
          .filter(Boolean)
          .join(" ")}
        actions={
          <div className="flex flex-wrap gap-2">
            <Button asChild variant="ghost">
              <Link href="/models">
                <ArrowLeftIcon aria-hidden="true" />
                All models
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link href={`/models/lineage?focus=${encodeURIComponent(`model:${model.name}`)}`}>
                <NetworkIcon aria-hidden="true" />
                Lineage
              </Link>
            </Button>
            {dependents ? <DeleteModelButton name={model.name} dependents={dependents} /> : null}
          </div>
        }
      />
      <ModelEditor
        timeoutSeconds={getEnv().modelStatementTimeoutMs / 1000}
        model={{
          name: model.name,
          revision: model.revision,
          description: model.description,
          sql: model.sql,
          materialization: model.materialization,
          uniqueKey: model.uniqueKey,
          snapshot: model.snapshot,
          columnDescriptions: model.columnDescriptions,
          tests: model.tests,
        }}
        canEdit={canEdit}
        completion={completion}
        revisions={revisions}
        latestBuild={latest ? toBuildView(latest) : null}
        latestBatch={batch.map(toBuildView)}
        modelColumns={completion.relations.warehouse[model.name] ?? []}
      />
    </>
  );
}
