"use client";

import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectGroup, SelectItem, SelectLabel, SelectTrigger, SelectValue } from "@/components/ui/select";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { Button } from "@/components/ui/button";

/** A warehouse relation a message's table can come from; columns is null while it is not built. */
export type TableSource = { name: string; kind: "model" | "dataset"; columns: string[] | null };

export type TableChoice = {
  model: string;
  /** Chosen columns, in the relation's order; empty means all of them. */
  columns: string[];
  /** Used when the relation's columns are unknown (not built yet): names separated by commas. */
  columnsText: string;
  sortBy: string;
  sortDirection: "asc" | "desc";
  limit: string;
};

export const NO_TABLE: TableChoice = { model: "", columns: [], columnsText: "", sortBy: "", sortDirection: "asc", limit: "" };

const NONE = "__none__";

/** The id of a field's error message, when there is one to point at. */
function errorId(errors: Record<string, string[]> | undefined, key: string, id: string): string | undefined {
  return errors?.[key]?.length ? id : undefined;
}

export function splitColumns(text: string): string[] {
  return text
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
}

export function TableFields({
  sources,
  value,
  onChange,
  errors,
}: {
  sources: TableSource[];
  value: TableChoice;
  onChange: (next: TableChoice) => void;
  errors?: Record<string, string[]>;
}) {
  const source = sources.find((s) => s.name === value.model);
  const known = source?.columns ?? null;
  const models = sources.filter((s) => s.kind === "model");
  const datasets = sources.filter((s) => s.kind === "dataset");
  const set = (patch: Partial<TableChoice>) => onChange({ ...value, ...patch });
  const sortOptions = known ?? splitColumns(value.columnsText);
  const sourceLabel = (s: TableSource) => `${s.name}${s.columns ? "" : " (not built)"}`;

  return (
    <fieldset className="flex flex-col gap-4">
      <legend className="mb-3 text-sm font-semibold">Table (optional)</legend>
      <div className="flex flex-col gap-2">
        <Label htmlFor="template-table-model">Rows from</Label>
        <Select
          value={value.model || NONE}
          onValueChange={(model) => onChange(model === NONE ? NO_TABLE : { ...NO_TABLE, model, limit: value.limit })}
        >
          <SelectTrigger
            id="template-table-model"
            className="w-full"
            aria-invalid={errors?.["table.model"]?.length ? true : undefined}
            aria-describedby={describedBy(errorId(errors, "table.model", "template-table-model-error"), "template-table-model-hint")}
          >
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={NONE}>No table</SelectItem>
            {models.length ? (
              <SelectGroup>
                <SelectLabel>Models</SelectLabel>
                {models.map((s) => (
                  <SelectItem key={`m-${s.name}`} value={s.name}>
                    {sourceLabel(s)}
                  </SelectItem>
                ))}
              </SelectGroup>
            ) : null}
            {datasets.length ? (
              <SelectGroup>
                <SelectLabel>Datasets</SelectLabel>
                {datasets.map((s) => (
                  <SelectItem key={`d-${s.name}`} value={s.name}>
                    {sourceLabel(s)}
                  </SelectItem>
                ))}
              </SelectGroup>
            ) : null}
          </SelectContent>
        </Select>
        <p id="template-table-model-hint" className="text-muted-foreground text-xs">
          {sources.length === 0
            ? "No models or datasets yet: add a dataset or model to put a table in the message."
            : "A model, or a dataset's typed table, as it is in the warehouse now."}
        </p>
        <FieldErrors id="template-table-model-error" errors={errors?.["table.model"]} />
      </div>

      {value.model ? (
        <>
          {known ? (
            <fieldset className="flex flex-col gap-2" aria-describedby="template-table-columns-hint">
              <legend className="mb-2 text-sm font-medium">Columns</legend>
              <div className="flex min-h-8 flex-wrap items-center justify-between gap-2">
                <p id="template-table-columns-hint" className="text-muted-foreground text-xs">
                  {value.columns.length
                    ? `${value.columns.length} of ${known.length} chosen, in the table's order.`
                    : "None ticked: every column is shown (up to 20)."}
                </p>
                {value.columns.length ? (
                  <Button type="button" variant="ghost" size="sm" onClick={() => set({ columns: [] })}>
                    Show all columns
                  </Button>
                ) : null}
              </div>
              <div className="grid max-h-56 gap-2 overflow-y-auto rounded-md border p-3 sm:grid-cols-2">
                {known.map((column, i) => {
                  const id = `template-table-column-${i}`;
                  return (
                    <div key={column} className="flex min-w-0 items-center gap-2">
                      <Checkbox
                        id={id}
                        checked={value.columns.includes(column)}
                        onCheckedChange={(checked) =>
                          set({
                            columns: known.filter((c) => (c === column ? checked === true : value.columns.includes(c))),
                          })
                        }
                      />
                      <Label htmlFor={id} className="min-w-0 font-mono text-xs font-normal break-all">
                        {column}
                      </Label>
                    </div>
                  );
                })}
              </div>
              <FieldErrors id="template-table-columns-error" errors={errors?.["table.columns"]} />
            </fieldset>
          ) : (
            <div className="flex flex-col gap-2">
              <Label htmlFor="template-table-columns">Columns</Label>
              <Input
                id="template-table-columns"
                value={value.columnsText}
                onChange={(e) => set({ columnsText: e.target.value })}
                placeholder="region, total"
                autoComplete="off"
                spellCheck={false}
                className="font-mono"
                aria-invalid={errors?.["table.columns"]?.length ? true : undefined}
                aria-describedby={describedBy(
                  errorId(errors, "table.columns", "template-table-columns-error"),
                  "template-table-columns-hint",
                )}
              />
              <p id="template-table-columns-hint" className="text-muted-foreground text-xs">
                Column names separated by commas; empty for all. {value.model} is not built yet, so its columns are not known.
              </p>
              <FieldErrors id="template-table-columns-error" errors={errors?.["table.columns"]} />
            </div>
          )}

          <div className="grid gap-4 sm:grid-cols-3">
            <div className="flex flex-col gap-2">
              <Label htmlFor="template-table-sort">Sort by</Label>
              <Select value={value.sortBy || NONE} onValueChange={(sortBy) => set({ sortBy: sortBy === NONE ? "" : sortBy })}>
                <SelectTrigger
                  id="template-table-sort"
                  className="w-full"
                  aria-invalid={errors?.["table.sortBy"]?.length ? true : undefined}
                  aria-describedby={describedBy(errorId(errors, "table.sortBy", "template-table-sort-error"))}
                >
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={NONE}>As stored</SelectItem>
                  {sortOptions.map((column) => (
                    <SelectItem key={column} value={column}>
                      {column}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
              <FieldErrors id="template-table-sort-error" errors={errors?.["table.sortBy"]} />
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="template-table-direction">Direction</Label>
              <Select
                value={value.sortDirection}
                onValueChange={(direction) => set({ sortDirection: direction === "desc" ? "desc" : "asc" })}
                disabled={!value.sortBy}
              >
                <SelectTrigger id="template-table-direction" className="w-full">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="asc">Ascending</SelectItem>
                  <SelectItem value="desc">Descending</SelectItem>
                </SelectContent>
              </Select>
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="template-table-limit">Rows</Label>
              <Input
                id="template-table-limit"
                type="number"
                inputMode="numeric"
                min={1}
                max={1000}
                step={1}
                value={value.limit}
                placeholder="20"
                onChange={(e) => set({ limit: e.target.value })}
                aria-invalid={errors?.["table.limit"]?.length ? true : undefined}
                aria-describedby={describedBy(errorId(errors, "table.limit", "template-table-limit-error"), "template-table-limit-hint")}
              />
              <p id="template-table-limit-hint" className="text-muted-foreground text-xs">
                1–1,000; 20 when empty.
              </p>
              <FieldErrors id="template-table-limit-error" errors={errors?.["table.limit"]} />
            </div>
          </div>
        </>
      ) : null}
    </fieldset>
  );
}
