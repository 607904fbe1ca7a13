"use client";

import { useState } from "react";
import { PlusIcon, Trash2Icon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { FieldErrors } from "@/components/form-messages";
import type { DescriptionDraft } from "./editor-state";

/** Optional notes per column, as column → description pairs (exported to dbt's schema.yml). */
export function ColumnDescriptionsEditor({
  rows,
  onChange,
  readOnly,
  errors,
  nextKey,
}: {
  rows: DescriptionDraft[];
  onChange: (rows: DescriptionDraft[]) => void;
  readOnly: boolean;
  errors?: string[];
  nextKey: () => number;
}) {
  const [added, setAdded] = useState<number | null>(null);
  const update = (key: number, patch: Partial<DescriptionDraft>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <div className="flex flex-col gap-3">
      {rows.length === 0 ? <p className="text-muted-foreground text-sm">No column descriptions.</p> : null}
      {rows.map((row, index) => (
        <div key={row.key} className="grid items-end gap-2 sm:grid-cols-[minmax(0,14rem)_minmax(0,1fr)_auto]">
          <div className="flex flex-col gap-2">
            <Label htmlFor={`coldesc-${row.key}-column`}>Column {index + 1}</Label>
            <Input
              id={`coldesc-${row.key}-column`}
              value={row.column}
              onChange={(e) => update(row.key, { column: e.target.value })}
              readOnly={readOnly}
              autoFocus={added === row.key}
              autoComplete="off"
              list="model-columns"
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor={`coldesc-${row.key}-text`}>Description of column {index + 1}</Label>
            <Input
              id={`coldesc-${row.key}-text`}
              value={row.description}
              onChange={(e) => update(row.key, { description: e.target.value })}
              readOnly={readOnly}
              autoComplete="off"
            />
          </div>
          {readOnly ? null : (
            <Button type="button" variant="ghost" size="sm" onClick={() => onChange(rows.filter((r) => r.key !== row.key))}>
              <Trash2Icon aria-hidden="true" />
              Remove<span className="sr-only"> description of column {index + 1}</span>
            </Button>
          )}
        </div>
      ))}
      <FieldErrors id="column-descriptions-error" errors={errors} />
      {readOnly ? null : (
        <Button
          type="button"
          variant="outline"
          size="sm"
          className="self-start"
          onClick={() => {
            const row = { key: nextKey(), column: "", description: "" };
            setAdded(row.key);
            onChange([...rows, row]);
          }}
        >
          <PlusIcon aria-hidden="true" />
          Add column description
        </Button>
      )}
    </div>
  );
}
