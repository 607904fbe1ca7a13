"use client";

import type { Dispatch, SetStateAction } from "react";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { errorsUnder, SNAPSHOT_STRATEGIES, type SnapshotDraft, type SnapshotStrategy } from "./editor-state";

/** A snapshot model's history rule: the strategy, then its updated-at column or its compared columns. */
export function SnapshotSettings({
  draft,
  onChange,
  readOnly,
  fieldErrors,
}: {
  draft: SnapshotDraft;
  onChange: Dispatch<SetStateAction<SnapshotDraft>>;
  readOnly: boolean;
  fieldErrors: Record<string, string[]> | undefined;
}) {
  const hint = SNAPSHOT_STRATEGIES.find((s) => s.value === draft.strategy)?.hint;
  return (
    <fieldset className="grid gap-4 rounded-md border p-3 md:grid-cols-2" data-testid="snapshot-settings">
      <legend className="px-1 text-sm font-medium">History</legend>
      <div className="flex flex-col gap-2">
        <Label htmlFor="model-snapshot-strategy">A row is a new version when</Label>
        <Select
          value={draft.strategy}
          onValueChange={(v) => onChange((d) => ({ ...d, strategy: v as SnapshotStrategy }))}
          disabled={readOnly}
        >
          <SelectTrigger
            id="model-snapshot-strategy"
            className="w-full"
            aria-describedby={describedBy("model-snapshot-strategy-hint", fieldErrors?.snapshot && "model-snapshot-strategy-error")}
          >
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {SNAPSHOT_STRATEGIES.map((s) => (
              <SelectItem key={s.value} value={s.value}>
                {s.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <p id="model-snapshot-strategy-hint" className="text-muted-foreground text-xs">
          {hint}
        </p>
        <FieldErrors id="model-snapshot-strategy-error" errors={fieldErrors?.snapshot} />
      </div>
      {draft.strategy === "timestamp" ? (
        <TextField
          id="model-snapshot-updated-at"
          name="snapshot.updatedAt"
          label="Updated-at column"
          value={draft.updatedAt}
          onChange={(e) => onChange((d) => ({ ...d, updatedAt: e.target.value }))}
          readOnly={readOnly}
          autoComplete="off"
          spellCheck={false}
          placeholder="updated_at"
          hint="A timestamp or date column of the result; only a later value is a change."
          errors={errorsUnder(fieldErrors, "snapshot.updatedAt")}
        />
      ) : (
        <TextField
          id="model-snapshot-check-columns"
          name="snapshot.columns"
          label="Compared columns (optional)"
          value={draft.checkColumns}
          onChange={(e) => onChange((d) => ({ ...d, checkColumns: e.target.value }))}
          readOnly={readOnly}
          autoComplete="off"
          spellCheck={false}
          placeholder="status, amount"
          hint="Comma-separated; leave empty to compare every column but the unique key."
          errors={errorsUnder(fieldErrors, "snapshot.columns")}
        />
      )}
    </fieldset>
  );
}
