import { defineJob } from "@/jobs/define-job";
import { ingestDatasetJob } from "@/lib/queue/jobs";
import { runDatasetLoad } from "@/lib/ingest/run-load";

export const ingestDatasetHandler = defineJob(ingestDatasetJob, ({ loadId }, ctx) => runDatasetLoad(loadId, ctx));
