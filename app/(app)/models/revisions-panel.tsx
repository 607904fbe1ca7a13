"use client";

import { useState, useTransition } from "react";
import { HistoryIcon } from "lucide-react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmAction } from "@/components/confirm-action";
import { RevisionDiff } from "@/components/models/revision-diff";
import { restoreRevisionAction, type SavedModel } from "./actions";
import { contentAsText, type ModelContent } from "./editor-state";
import { formatDateTime } from "@/lib/format";

export type RevisionView = { revision: number; author: string | null; createdAt: string; content: ModelContent };

const SHOWN_AT_FIRST = 10;

/**
 * Every saved revision, newest first: compare one with what the editor holds now, or restore it
 * (saved again as a new revision, so nothing is lost).
 */
export function RevisionsPanel({
  name,
  revisions,
  current,
  currentRevision,
  dirty,
  canEdit,
  onRestored,
}: {
  name: string;
  revisions: RevisionView[];
  current: ModelContent;
  currentRevision: number;
  dirty: boolean;
  canEdit: boolean;
  onRestored: (model: SavedModel) => void;
}) {
  const [open, setOpen] = useState<number | null>(null);
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? revisions : revisions.slice(0, SHOWN_AT_FIRST);
  const currentText = contentAsText(current);

  return (
    <div className="flex flex-col gap-3" data-testid="revisions">
      {revisions.length === 0 ? <p className="text-muted-foreground text-sm">No revisions yet.</p> : null}
      <ol className="flex flex-col divide-y rounded-md border">
        {shown.map((rev) => {
          const isCurrent = rev.revision === currentRevision;
          const diffId = `revision-${rev.revision}-diff`;
          return (
            <li key={rev.revision} className="flex flex-col gap-3 p-3" data-testid="revision" data-revision={rev.revision}>
              <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
                <span className="font-medium">Revision {rev.revision}</span>
                {isCurrent ? <Badge variant="secondary">current</Badge> : null}
                <span className="text-muted-foreground text-sm">
                  {rev.author ?? "someone no longer here"}, <time dateTime={rev.createdAt}>{formatDateTime(new Date(rev.createdAt))}</time>
                </span>
                <div className="ml-auto flex flex-wrap gap-2">
                  <Button
                    type="button"
                    variant="outline"
                    size="sm"
                    aria-expanded={open === rev.revision}
                    aria-controls={open === rev.revision ? diffId : undefined}
                    onClick={() => setOpen(open === rev.revision ? null : rev.revision)}
                  >
                    {open === rev.revision ? "Hide diff" : "View diff"}
                    <span className="sr-only"> of revision {rev.revision}</span>
                  </Button>
                  {canEdit && !isCurrent ? (
                    <RestoreButton name={name} revision={rev.revision} dirty={dirty} onRestored={onRestored} />
                  ) : null}
                </div>
              </div>
              {open === rev.revision ? (
                <div id={diffId}>
                  <RevisionDiff
                    before={contentAsText(rev.content)}
                    after={currentText}
                    caption={`Revision ${rev.revision} (−) compared with the current ${dirty ? "editor content, unsaved edits included" : `revision ${currentRevision}`} (+)`}
                  />
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      {revisions.length > SHOWN_AT_FIRST ? (
        <Button type="button" variant="ghost" size="sm" className="self-start" onClick={() => setShowAll(!showAll)}>
          {showAll ? "Show fewer" : `Show all ${revisions.length} revisions`}
        </Button>
      ) : null}
    </div>
  );
}

function RestoreButton({
  name,
  revision,
  dirty,
  onRestored,
}: {
  name: string;
  revision: number;
  dirty: boolean;
  onRestored: (model: SavedModel) => void;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();

  const restore = () =>
    startTransition(async () => {
      const result = await restoreRevisionAction({ name, revision });
      if (result.ok) {
        toast.success(`Restored revision ${revision} as revision ${result.data.revision}`);
        setOpen(false);
        onRestored(result.data);
      } else {
        setError(result.formError ?? `Could not restore revision ${revision}`);
      }
    });

  return (
    <ConfirmAction
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setError(undefined);
      }}
      pending={pending}
      trigger={
        <Button type="button" variant="secondary" size="sm">
          <HistoryIcon aria-hidden="true" />
          Restore<span className="sr-only"> revision {revision}</span>
        </Button>
      }
      title={`Restore revision ${revision}?`}
      description={
        <p>
          Its SQL, settings and tests are saved as a new revision; every revision stays in the history.
          {dirty ? " Your unsaved edits in the editor are replaced." : ""} The warehouse changes at the next build.
        </p>
      }
      error={error}
      confirm={{ label: `Restore revision ${revision}`, pendingLabel: "Restoring…", variant: "default" }}
      onConfirm={restore}
    />
  );
}
