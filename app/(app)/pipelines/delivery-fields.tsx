"use client";

import { useLayoutEffect, useRef } from "react";
import { Trash2Icon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { NativeSelect } from "@/components/pipelines/native-select";
import { CONDITIONS, splitColumns, type DeliveryDraft, type PipelineFormOptions } from "./form-types";
import { ConditionFields } from "./condition-fields";
import { DigestFields } from "./digest-fields";
import { DeliveryPreviewPanel, type PreviewContext } from "./delivery-preview";

type Field = "header" | "text";

/** Field errors for one delivery, keyed relative to it: "template.text", "destinationId", … */
export type DeliveryErrors = Record<string, string[] | undefined>;

/** One message of a pipeline: where it goes, when, and what it says (with an optional table). */
export function DeliveryFields({
  index,
  value,
  onChange,
  onRemove,
  options,
  errors,
  disabled,
  preview,
}: {
  /** What the message preview needs besides the message itself. */
  preview: PreviewContext;
  index: number;
  value: DeliveryDraft;
  onChange: (patch: Partial<DeliveryDraft>) => void;
  onRemove: () => void;
  options: PipelineFormOptions;
  errors: DeliveryErrors;
  disabled?: boolean;
}) {
  const id = (part: string) => `delivery-${value.key}-${part}`;
  const headerRef = useRef<HTMLInputElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const lastField = useRef<Field>("text");
  const caret = useRef<{ field: Field; at: number } | null>(null);
  const number = index + 1;

  // After a variable is inserted, put the cursor right behind it in the field it went into.
  useLayoutEffect(() => {
    const target = caret.current;
    if (!target) return;
    caret.current = null;
    const el = target.field === "header" ? headerRef.current : textRef.current;
    el?.focus();
    el?.setSelectionRange(target.at, target.at);
  });

  const insertVariable = (variable: string) => {
    const token = `{{${variable}}}`;
    const field = lastField.current;
    const el = field === "header" ? headerRef.current : textRef.current;
    const current = field === "header" ? value.header : value.text;
    const start = el?.selectionStart ?? current.length;
    const end = el?.selectionEnd ?? current.length;
    const next = current.slice(0, start) + token + current.slice(end);
    onChange(field === "header" ? { header: next } : { text: next });
    caret.current = { field, at: start + token.length };
  };

  const table = options.tables.find((t) => t.name === value.tableModel);
  const known = table?.columns ?? null;
  const sortOptions = known ?? splitColumns(value.tableColumns);
  const models = options.tables.filter((t) => t.kind === "model");
  const datasets = options.tables.filter((t) => t.kind === "dataset");
  const defaultDestination = options.destinations.find((d) => d.default);
  const condition = CONDITIONS.find((c) => c.value === value.condition.kind);
  const templateErrors = [...(errors["template"] ?? []), ...(errors["template.text"] ?? [])];
  const err = (key: string) => errors[key];
  const errId = (key: string, part: string) => (errors[key]?.length ? id(`${part}-error`) : undefined);

  return (
    <fieldset className="flex flex-col gap-4 rounded-lg border p-4" data-testid="delivery" disabled={disabled}>
      <legend className="px-1 text-sm font-semibold">Message {number}</legend>
      <div className="-mt-2 flex justify-end">
        <Button type="button" variant="ghost" size="sm" onClick={onRemove}>
          <Trash2Icon aria-hidden="true" />
          Remove<span className="sr-only"> message {number}</span>
        </Button>
      </div>

      <div className="grid gap-4 md:grid-cols-2">
        <div className="flex flex-col gap-2">
          <Label htmlFor={id("destination")}>Destination</Label>
          <NativeSelect
            id={id("destination")}
            value={value.destinationId}
            onChange={(e) => onChange({ destinationId: e.target.value })}
            aria-invalid={err("destinationId")?.length ? true : undefined}
            aria-describedby={describedBy(errId("destinationId", "destination"), id("destination-hint"))}
          >
            <option value="">Default destination{defaultDestination ? ` (now ${defaultDestination.name})` : ""}</option>
            {options.destinations.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.needsAttention ? " — needs attention" : ""}
              </option>
            ))}
          </NativeSelect>
          <p id={id("destination-hint")} className="text-muted-foreground text-xs">
            {options.destinations.length === 0
              ? "No destinations yet: the message is skipped until one is added."
              : "The default is looked up when the run sends, so changing the default moves this message too."}
          </p>
          <FieldErrors id={id("destination-error")} errors={err("destinationId")} />
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor={id("condition")}>Send</Label>
          <NativeSelect
            id={id("condition")}
            value={value.condition.kind}
            onChange={(e) => onChange({ condition: { ...value.condition, kind: e.target.value as DeliveryDraft["condition"]["kind"] } })}
            aria-describedby={id("condition-hint")}
          >
            {CONDITIONS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </NativeSelect>
          <p id={id("condition-hint")} className="text-muted-foreground text-xs">
            {condition?.hint}
          </p>
        </div>
      </div>

      <ConditionFields
        idFor={id}
        value={value}
        onChange={onChange}
        models={options.tables.map((t) => t.name)}
        columns={known ?? []}
        errors={errors}
      />

      <div className="flex flex-col gap-2">
        <Label htmlFor={id("header")}>Header (optional)</Label>
        <Input
          ref={headerRef}
          id={id("header")}
          value={value.header}
          maxLength={300}
          autoComplete="off"
          onChange={(e) => onChange({ header: e.target.value })}
          onFocus={() => (lastField.current = "header")}
          aria-invalid={err("template.header")?.length ? true : undefined}
          aria-describedby={describedBy(errId("template.header", "header"))}
        />
        <FieldErrors id={id("header-error")} errors={err("template.header")} />
      </div>

      <div className="flex flex-col gap-2">
        <Label htmlFor={id("text")}>Text</Label>
        <Textarea
          ref={textRef}
          id={id("text")}
          value={value.text}
          rows={4}
          maxLength={3000}
          onChange={(e) => onChange({ text: e.target.value })}
          onFocus={() => (lastField.current = "text")}
          className="min-h-24 font-mono text-sm"
          aria-invalid={templateErrors.length ? true : undefined}
          aria-describedby={describedBy(templateErrors.length ? id("text-error") : undefined, id("variables-hint"))}
        />
        <FieldErrors id={id("text-error")} errors={templateErrors} />
        <div role="group" aria-labelledby={id("variables-label")} className="flex flex-col gap-1.5">
          <p id={id("variables-label")} className="text-sm font-medium">
            Variables
          </p>
          <p id={id("variables-hint")} className="text-muted-foreground text-xs">
            Slack mrkdwn: *bold*, _italic_, &lt;url|label&gt;. Click a variable to insert it at the cursor, in the header or the text,
            whichever you used last.
          </p>
          <ul className="flex flex-wrap gap-1.5">
            {options.variables.map((variable) => (
              <li key={variable}>
                <Button
                  type="button"
                  variant="secondary"
                  size="sm"
                  className="h-7 rounded-full px-2.5 font-mono text-xs"
                  onMouseDown={(e) => e.preventDefault() /* keep the field's cursor where it is */}
                  onClick={() => insertVariable(variable)}
                >
                  <span className="sr-only">Insert </span>
                  {`{{${variable}}}`}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      </div>

      <div className="flex flex-col gap-4 border-t pt-4">
        <div className="flex flex-col gap-2">
          <Label htmlFor={id("table")}>Table (optional)</Label>
          <NativeSelect
            id={id("table")}
            value={value.tableModel}
            onChange={(e) =>
              // Key columns belong to the table they were picked from.
              onChange({ tableModel: e.target.value, tableColumns: "", sortBy: "", digest: { ...value.digest, key: [] } })
            }
            aria-invalid={err("template.table.model")?.length ? true : undefined}
            aria-describedby={describedBy(errId("template.table.model", "table"), id("table-hint"))}
          >
            <option value="">No table</option>
            {models.length ? (
              <optgroup label="Models">
                {models.map((t) => (
                  <option key={`m-${t.name}`} value={t.name}>
                    {t.name}
                    {t.columns ? "" : " (not built)"}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {datasets.length ? (
              <optgroup label="Datasets">
                {datasets.map((t) => (
                  <option key={`d-${t.name}`} value={t.name}>
                    {t.name}
                    {t.columns ? "" : " (not loaded)"}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {value.tableModel && !table ? <option value={value.tableModel}>{value.tableModel} (not found)</option> : null}
          </NativeSelect>
          <p id={id("table-hint")} className="text-muted-foreground text-xs">
            Rows from a model, or a dataset&apos;s typed table, as they are when the message is sent.
          </p>
          <FieldErrors id={id("table-error")} errors={err("template.table.model")} />
        </div>

        {value.tableModel ? (
          <>
            <div className="flex flex-col gap-2">
              <Label htmlFor={id("columns")}>Columns</Label>
              <Input
                id={id("columns")}
                value={value.tableColumns}
                onChange={(e) => onChange({ tableColumns: e.target.value })}
                placeholder={known?.slice(0, 3).join(", ") || "region, total"}
                autoComplete="off"
                spellCheck={false}
                className="font-mono"
                aria-invalid={err("template.table.columns")?.length ? true : undefined}
                aria-describedby={describedBy(errId("template.table.columns", "columns"), id("columns-hint"))}
              />
              <p id={id("columns-hint")} className="text-muted-foreground text-xs break-words">
                Names separated by commas; empty for all (up to 20).{" "}
                {known ? `Available: ${known.join(", ")}.` : `${value.tableModel} has no table yet, so its columns are not known.`}
              </p>
              <FieldErrors id={id("columns-error")} errors={err("template.table.columns")} />
            </div>
            <div className="grid gap-4 sm:grid-cols-3">
              <div className="flex flex-col gap-2">
                <Label htmlFor={id("sort")}>Sort by</Label>
                <NativeSelect id={id("sort")} value={value.sortBy} onChange={(e) => onChange({ sortBy: e.target.value })}>
                  <option value="">As stored</option>
                  {sortOptions.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                  {value.sortBy && !sortOptions.includes(value.sortBy) ? <option value={value.sortBy}>{value.sortBy}</option> : null}
                </NativeSelect>
                <FieldErrors id={id("sort-error")} errors={err("template.table.sortBy")} />
              </div>
              <div className="flex flex-col gap-2">
                <Label htmlFor={id("direction")}>Direction</Label>
                <NativeSelect
                  id={id("direction")}
                  value={value.sortDirection}
                  disabled={!value.sortBy}
                  onChange={(e) => onChange({ sortDirection: e.target.value === "desc" ? "desc" : "asc" })}
                >
                  <option value="asc">Ascending</option>
                  <option value="desc">Descending</option>
                </NativeSelect>
              </div>
              <div className="flex flex-col gap-2">
                <Label htmlFor={id("limit")}>Rows</Label>
                <Input
                  id={id("limit")}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={1000}
                  step={1}
                  value={value.limit}
                  placeholder="20"
                  onChange={(e) => onChange({ limit: e.target.value })}
                  aria-invalid={err("template.table.limit")?.length ? true : undefined}
                  aria-describedby={describedBy(errId("template.table.limit", "limit"), id("limit-hint"))}
                />
                <p id={id("limit-hint")} className="text-muted-foreground text-xs">
                  1–1,000; 20 when empty.
                </p>
                <FieldErrors id={id("limit-error")} errors={err("template.table.limit")} />
              </div>
            </div>
          </>
        ) : null}
      </div>

      <DigestFields idFor={id} value={value} onChange={onChange} columns={known} errors={errors} />

      <DeliveryPreviewPanel idFor={id} value={value} context={preview} number={number} />
    </fieldset>
  );
}
