"use client";

import { useActionState, useEffect, useState } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import type { ColumnType } from "@/db/schema/datasets";
import { Button } from "@/components/ui/button";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { FormError } from "@/components/form-messages";
import { setColumnTypeAction } from "./actions";

type Choice = ColumnType | "auto";
type State = ActionResult<{ loadId: string; column: string; type: string }>;

/** One column's type override: pick a type and apply; applying reloads the current version. */
export function ColumnTypeForm({
  datasetId,
  column,
  inferredType,
  overrideType,
  types,
  disabled,
  describedById,
}: {
  datasetId: string;
  column: string;
  inferredType: ColumnType;
  overrideType: ColumnType | null;
  types: readonly ColumnType[];
  disabled: boolean;
  describedById?: string;
}) {
  const saved: Choice = overrideType ?? "auto";
  const [choice, setChoice] = useState<Choice>(saved);
  const [state, formAction, pending] = useActionState(setColumnTypeAction, { ok: false } as State);
  useEffect(() => {
    if (state.ok) {
      toast.success(
        state.data.type === "auto"
          ? `${state.data.column} uses the inferred type again; reloading`
          : `${state.data.column} is now ${state.data.type}; reloading to check every value`,
      );
    }
  }, [state]);
  const error = state.ok ? undefined : (state.formError ?? state.fieldErrors?.type?.join(" "));

  return (
    <form
      action={formAction}
      // React resets the form after a submission; show the saved choice again (the page refreshes it).
      onReset={() => setChoice(saved)}
      className="flex flex-col gap-2"
    >
      <input type="hidden" name="datasetId" value={datasetId} />
      <input type="hidden" name="column" value={column} />
      <div className="flex items-center gap-2">
        <Select name="type" value={choice} onValueChange={(v) => setChoice(v as Choice)} disabled={disabled || pending}>
          <SelectTrigger size="sm" className="w-48" aria-label={`Type for ${column}`} aria-describedby={describedById}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="auto">auto ({inferredType})</SelectItem>
            {types.map((t) => (
              <SelectItem key={t} value={t}>
                {t}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <Button type="submit" size="sm" variant="secondary" disabled={disabled || pending || choice === saved}>
          {pending ? "Applying…" : "Apply"}
          <span className="sr-only"> type for {column}</span>
        </Button>
      </div>
      <FormError message={error} className="max-w-xs whitespace-normal" />
    </form>
  );
}
