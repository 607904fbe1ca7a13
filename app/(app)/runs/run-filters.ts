import { z } from "zod";
import { runStatuses, type Run } from "@/db/schema/pipelines";

/** The status filter's choices: where a run is, with a success with warnings apart (it filters on the outcome). */
export const STATUS_CHOICES = [...runStatuses.slice(0, 3), "succeeded_with_warnings", ...runStatuses.slice(3)] as const;
import type { RunFilter } from "@/db/queries/pipelines";

export const TRIGGERS = ["manual", "schedule", "api", "retry"] as const satisfies readonly Run["trigger"][];

type SearchParams = Record<string, string | string[] | undefined>;

/** The filters as they appear in the address (strings; "" when unset), for the form and links. */
export type RunQuery = { pipeline: string; status: string; trigger: string; since: string; before: string };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() ?? "";
const uuid = z.string().uuid();
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads and checks the GET parameters; anything malformed is dropped, never an error page. */
export function parseRunQuery(params: SearchParams): { query: RunQuery; filter: RunFilter; invalid: string[] } {
  const query: RunQuery = {
    pipeline: first(params.pipeline),
    status: first(params.status),
    trigger: first(params.trigger),
    since: first(params.since),
    before: first(params.before),
  };
  const filter: RunFilter = {};
  const invalid: string[] = [];
  if (query.pipeline) {
    if (uuid.safeParse(query.pipeline).success) filter.pipelineId = query.pipeline;
    else invalid.push("pipeline");
  }
  if (query.status) {
    if (query.status === "succeeded_with_warnings") filter.outcome = "succeeded_with_warnings";
    else if ((runStatuses as readonly string[]).includes(query.status)) filter.status = query.status as Run["status"];
    else invalid.push("status");
  }
  if (query.trigger) {
    if ((TRIGGERS as readonly string[]).includes(query.trigger)) filter.trigger = query.trigger as Run["trigger"];
    else invalid.push("trigger");
  }
  if (query.since) {
    const since = DAY.test(query.since) ? new Date(`${query.since}T00:00:00Z`) : null;
    if (since && !Number.isNaN(since.getTime())) filter.since = since;
    else invalid.push("since");
  }
  if (query.before) {
    const cursor = decodeCursor(query.before);
    // The id alone places the cursor: listRuns compares on the stored (microsecond) timestamp.
    if (cursor) filter.beforeId = cursor.id;
    else invalid.push("before");
  }
  for (const key of invalid) query[key as keyof RunQuery] = "";
  return { query, filter, invalid };
}

/** "<iso>_<id>": the last row of a page, where the next (older) page starts; the time keeps the address readable. */
export function encodeCursor(run: { createdAt: Date; id: string }): string {
  return `${run.createdAt.toISOString()}_${run.id}`;
}

function decodeCursor(text: string): { createdAt: Date; id: string } | null {
  const at = text.lastIndexOf("_");
  if (at < 0) return null;
  const createdAt = new Date(text.slice(0, at));
  const id = text.slice(at + 1);
  if (Number.isNaN(createdAt.getTime()) || !uuid.safeParse(id).success) return null;
  return { createdAt, id };
}

/** The address of the runs list with these filters (empty ones left out). */
export function runsHref(query: Partial<RunQuery>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `/runs?${text}` : "/runs";
}
