import { z } from "zod";
import { defineJob } from "@/jobs/define-job";
import { runDatasetLoad } from "@/lib/ingest/run-load";

/** Fetch (or take the uploaded object), keep the version, load staging, build the typed table. */
export const ingestDataset = defineJob({
  name: "dataset.ingest",
  schema: z.object({ loadId: z.string().uuid() }),
  // Long files take long: the expiry is generous; transient failures retry with backoff.
  queue: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 6 * 3600 },
  handle: ({ loadId }, ctx) => runDatasetLoad(loadId, ctx),
});
