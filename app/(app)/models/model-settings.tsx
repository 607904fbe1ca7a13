"use client";

import type { Dispatch, SetStateAction } from "react";
import type { Materialization } from "@/db/schema/models";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { errorsUnder, MATERIALIZATIONS, type SnapshotDraft } from "./editor-state";
import { SnapshotSettings } from "./snapshot-settings";

/** Description, materialization, unique key and snapshot rule: set once, so below the SQL and its results. */
export function ModelSettings({
  readOnly,
  fieldErrors,
  description,
  onDescription,
  materialization,
  onMaterialization,
  uniqueKeyText,
  onUniqueKeyText,
  snapshotDraft,
  onSnapshotDraft,
}: {
  readOnly: boolean;
  fieldErrors?: Record<string, string[]>;
  description: string;
  onDescription: (v: string) => void;
  materialization: Materialization;
  onMaterialization: (v: Materialization) => void;
  uniqueKeyText: string;
  onUniqueKeyText: (v: string) => void;
  snapshotDraft: SnapshotDraft;
  onSnapshotDraft: Dispatch<SetStateAction<SnapshotDraft>>;
}) {
  const fieldHint = MATERIALIZATIONS.find((m) => m.value === materialization)?.hint;
  const isSnapshot = materialization === "snapshot";
  const showUniqueKey = materialization === "incremental" || isSnapshot || uniqueKeyText.trim() !== "";
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Settings</h2>
        </CardTitle>
        {readOnly ? <CardDescription>You can read this model; editing needs the editor role.</CardDescription> : null}
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="flex flex-col gap-2">
          <Label htmlFor="model-description">Description (optional)</Label>
          <Textarea
            id="model-description"
            value={description}
            onChange={(e) => onDescription(e.target.value)}
            readOnly={readOnly}
            rows={2}
            aria-invalid={fieldErrors?.description ? true : undefined}
            aria-describedby={describedBy(fieldErrors?.description && "model-description-error")}
          />
          <FieldErrors id="model-description-error" errors={fieldErrors?.description} />
        </div>
        <div className="grid gap-4 md:grid-cols-2">
          <div className="flex flex-col gap-2">
            <Label htmlFor="model-materialization">Materialization</Label>
            <Select value={materialization} onValueChange={(v) => onMaterialization(v as Materialization)} disabled={readOnly}>
              <SelectTrigger
                id="model-materialization"
                className="w-full"
                aria-describedby={describedBy("model-materialization-hint", fieldErrors?.materialization && "model-materialization-error")}
              >
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {MATERIALIZATIONS.map((m) => (
                  <SelectItem key={m.value} value={m.value}>
                    {m.label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            <p id="model-materialization-hint" className="text-muted-foreground text-xs">
              {fieldHint}
            </p>
            <FieldErrors id="model-materialization-error" errors={fieldErrors?.materialization} />
          </div>
          {showUniqueKey ? (
            <TextField
              id="model-unique-key"
              name="uniqueKey"
              label="Unique key"
              value={uniqueKeyText}
              onChange={(e) => onUniqueKeyText(e.target.value)}
              readOnly={readOnly}
              autoComplete="off"
              spellCheck={false}
              placeholder="order_id"
              hint={
                isSnapshot
                  ? "Comma-separated columns that identify a row; the snapshot keeps each key's versions."
                  : "Comma-separated columns that identify a row; new rows replace old ones with the same key."
              }
              errors={errorsUnder(fieldErrors, "uniqueKey")}
            />
          ) : null}
        </div>
        {isSnapshot ? (
          <SnapshotSettings draft={snapshotDraft} onChange={onSnapshotDraft} readOnly={readOnly} fieldErrors={fieldErrors} />
        ) : null}
      </CardContent>
    </Card>
  );
}
