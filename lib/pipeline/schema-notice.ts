import { getDatasetVersion } from "@/db/queries/datasets";
import type { Dataset } from "@/db/schema/datasets";
import type { Pipeline } from "@/db/schema/pipelines";
import { getEnv } from "@/lib/env";
import { describeSchemaChanges, hasSchemaChanges } from "@/lib/ingest/schema-changes";
import { deliver } from "@/lib/slack/deliver";
import { escapeMrkdwn, renderMessage } from "@/lib/slack/render";

/**
 * What a loaded version changed in the dataset's columns, in words (null when nothing), and a
 * notice of it to the pipeline's failure-alert destination unless the dataset turned notices off
 * (`schemaNotices: false`). Once per version and destination, however many pipelines load it.
 */
export async function noticeSchemaChanges(pipeline: Pipeline, dataset: Dataset, versionId: string): Promise<string | null> {
  const version = await getDatasetVersion(versionId);
  const changes = version?.schemaChanges;
  if (!version || !changes || (!hasSchemaChanges(changes) && changes.renamed.length === 0)) return null;
  const words = `Version ${version.version} changed the columns of ${dataset.name}: ${describeSchemaChanges(changes)}`;
  if (pipeline.failureAlertDestinationId && dataset.options.schemaNotices !== false) {
    const url = `${getEnv().appUrl}/datasets/${encodeURIComponent(dataset.name)}`;
    await deliver({
      deliveryKey: `schema:${version.id}`,
      destinationId: pipeline.failureAlertDestinationId,
      kind: "failure_alert",
      payload: renderMessage(
        { header: "{{dataset.name}} changed shape", text: `${escapeMrkdwn(words)}. <${url}|Open the dataset>` },
        { "dataset.name": dataset.name },
      ),
    });
  }
  return words;
}
