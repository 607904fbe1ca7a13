import type { StagedScratch } from "@/db/schema/datasets";
import type { FastLoadInput } from "@/lib/ingest/load-fast";

/** What the request thread and an upload thread (lib/ingest/upload-thread.ts) say to each other. */

export const UPLOAD_THREAD_KIND = "relayboard-upload-speculation";

/** The speculative load's input, as it crosses to the thread (a structured clone: no functions). */
export type ThreadLoadInput = Omit<FastLoadInput, "sql" | "onProgress" | "signal" | "extraConnection">;

export type ThreadData = { kind: typeof UPLOAD_THREAD_KIND; input: ThreadLoadInput };

export type ThreadRequest = { op: "push"; id: number; chunk: Uint8Array } | { op: "finish"; id: number } | { op: "discard"; id: number };

/** Every request gets one reply with the same id; `staged` answers "finish". */
export type ThreadReply = { id: number; reason: string | null; staged?: StagedScratch | null };
