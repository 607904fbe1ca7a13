"use client";

import { useState } from "react";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { DEFAULT_DIGEST_ROWS, MAX_DIGEST_ROWS } from "@/db/schema/pipelines";
import { DIGEST_MODES, splitColumns, type DeliveryDraft, type DigestDraft } from "./form-types";

type Errors = Record<string, string[] | undefined>;

const messagesFor = (errors: Errors, test: (key: string) => boolean) =>
  Object.entries(errors)
    .filter(([key]) => test(key))
    .flatMap(([, messages]) => messages ?? []);

const isKey = (key: string) => key === "digest.key" || key.startsWith("digest.key.");

/**
 * "What changed": the message sends only the rows of its table that were added, changed or
 * removed since the result it last delivered, matched by key columns.
 */
export function DigestFields({
  idFor,
  value,
  onChange,
  columns,
  errors,
}: {
  idFor: (part: string) => string;
  value: DeliveryDraft;
  onChange: (patch: Partial<DeliveryDraft>) => void;
  /** The table's columns; null while they are not known (no table, or not built yet). */
  columns: string[] | null;
  errors: Errors;
}) {
  const d = value.digest;
  const set = (patch: Partial<DigestDraft>) => onChange({ digest: { ...d, ...patch } });
  const hasTable = Boolean(value.tableModel);
  const keyErrors = messagesFor(errors, isKey);
  const maxErrors = errors["digest.maxRows"] ?? [];
  const otherErrors = messagesFor(errors, (k) => (k === "digest" || k.startsWith("digest.")) && !isKey(k) && k !== "digest.maxRows");
  const mode = DIGEST_MODES.find((m) => m.value === d.mode);

  return (
    <div
      role="group"
      aria-labelledby={idFor("digest-label")}
      className="flex flex-col gap-3 border-t pt-4"
      data-testid="delivery-digest-fields"
      data-enabled={d.enabled}
    >
      <p id={idFor("digest-label")} className="text-sm font-medium">
        What changed
      </p>
      <div className="flex items-start gap-3">
        <Checkbox
          id={idFor("digest")}
          checked={d.enabled}
          disabled={!hasTable && !d.enabled}
          onCheckedChange={(c) => set({ enabled: c === true })}
          aria-invalid={otherErrors.length ? true : undefined}
          aria-describedby={describedBy(otherErrors.length ? idFor("digest-error") : undefined, idFor("digest-hint"))}
          className="mt-0.5"
        />
        <div className="flex flex-col gap-1">
          <Label htmlFor={idFor("digest")}>Send only what changed since the last delivered result</Label>
          <p id={idFor("digest-hint")} className="text-muted-foreground text-xs">
            {hasTable
              ? "The first run takes a baseline and sends nothing. After that, rows are matched by the key and compared on the message's table columns (all columns when none are chosen). Changing the table, its columns or the key starts a new baseline."
              : "Needs a table: choose the model to compare under Table above."}
          </p>
          <FieldErrors id={idFor("digest-error")} errors={otherErrors} />
        </div>
      </div>

      {d.enabled ? (
        <div className="flex flex-col gap-4 pl-7">
          {value.condition.kind === "changed" ? (
            <p className="text-xs text-amber-800 dark:text-amber-300" data-testid="digest-condition-note">
              &ldquo;Only when the result changed&rdquo; under Send does the same job: choose another option there, or turn this off.
            </p>
          ) : null}

          {columns?.length ? (
            <KeyPicker idFor={idFor} columns={columns} value={d.key} onChange={(key) => set({ key })} errors={keyErrors} />
          ) : (
            <KeyText idFor={idFor} table={value.tableModel} value={d.key} onChange={(key) => set({ key })} errors={keyErrors} />
          )}

          <div className="grid gap-4 sm:grid-cols-2">
            <div
              role="radiogroup"
              aria-labelledby={idFor("digest-mode-label")}
              aria-describedby={idFor("digest-mode-hint")}
              className="flex flex-col gap-2"
            >
              <p id={idFor("digest-mode-label")} className="text-sm leading-none font-medium">
                Send as
              </p>
              {DIGEST_MODES.map((m) => (
                <div key={m.value} className="flex items-start gap-2 text-sm">
                  <input
                    type="radio"
                    id={idFor(`digest-mode-${m.value}`)}
                    name={idFor("digest-mode")}
                    className="accent-primary mt-0.5 size-4"
                    checked={d.mode === m.value}
                    onChange={() => set({ mode: m.value })}
                  />
                  <label htmlFor={idFor(`digest-mode-${m.value}`)}>{m.label}</label>
                </div>
              ))}
              <p id={idFor("digest-mode-hint")} className="text-muted-foreground text-xs">
                {mode?.hint}
              </p>
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor={idFor("digest-max-rows")}>Max rows</Label>
              <Input
                id={idFor("digest-max-rows")}
                type="number"
                inputMode="numeric"
                min={1}
                max={MAX_DIGEST_ROWS}
                step={1}
                value={d.maxRows}
                placeholder={String(DEFAULT_DIGEST_ROWS)}
                onChange={(e) => set({ maxRows: e.target.value })}
                aria-invalid={maxErrors.length ? true : undefined}
                aria-describedby={describedBy(maxErrors.length ? idFor("digest-max-rows-error") : undefined, idFor("digest-max-rows-hint"))}
              />
              <p id={idFor("digest-max-rows-hint")} className="text-muted-foreground text-xs">
                {d.mode === "per_row" ? "Messages, one row each" : "Rows of each kind in the message"}: 1–{MAX_DIGEST_ROWS};{" "}
                {DEFAULT_DIGEST_ROWS} when empty.
              </p>
              <FieldErrors id={idFor("digest-max-rows-error")} errors={maxErrors} />
            </div>
          </div>

          <div className="flex items-start gap-3">
            <Checkbox
              id={idFor("digest-baseline")}
              checked={d.baselineMessage}
              onCheckedChange={(c) => set({ baselineMessage: c === true })}
              aria-describedby={idFor("digest-baseline-hint")}
              className="mt-0.5"
            />
            <div className="flex flex-col gap-1">
              <Label htmlFor={idFor("digest-baseline")}>Send a note when the baseline is taken</Label>
              <p id={idFor("digest-baseline-hint")} className="text-muted-foreground text-xs">
                A short &ldquo;Baseline taken&rdquo; message instead of nothing on the first run.
              </p>
            </div>
          </div>

          <p className="text-muted-foreground text-xs">
            In the header and text, <code className="font-mono">{"{{digest.added}}"}</code>,{" "}
            <code className="font-mono">{"{{digest.changed}}"}</code> and <code className="font-mono">{"{{digest.removed}}"}</code> give the
            counts.
          </p>
        </div>
      ) : null}
    </div>
  );
}

/** Key columns as checkboxes over the table's known columns; the order chosen is kept (it is part of the key). */
function KeyPicker({
  idFor,
  columns,
  value,
  onChange,
  errors,
}: {
  idFor: (part: string) => string;
  columns: string[];
  value: string[];
  onChange: (key: string[]) => void;
  errors: string[];
}) {
  const missing = value.filter((c) => !columns.includes(c));
  const errorId = errors.length ? idFor("digest-key-error") : undefined;
  const toggle = (column: string, on: boolean) =>
    onChange(on ? [...value.filter((c) => c !== column), column] : value.filter((c) => c !== column));
  const item = (column: string, i: number, note = "") => (
    <li key={column} className="flex min-w-0 items-center gap-2">
      <Checkbox
        id={idFor(`digest-key-${i}`)}
        checked={value.includes(column)}
        onCheckedChange={(c) => toggle(column, c === true)}
        aria-invalid={errorId ? true : undefined}
      />
      <Label htmlFor={idFor(`digest-key-${i}`)} className="min-w-0 font-normal">
        <span className="font-mono text-xs break-all">{column}</span>
        {note ? <span className="text-muted-foreground text-xs">{note}</span> : null}
      </Label>
    </li>
  );

  return (
    <div
      role="group"
      aria-labelledby={idFor("digest-key-label")}
      aria-describedby={describedBy(errorId, idFor("digest-key-hint"))}
      className="flex flex-col gap-2"
    >
      <p id={idFor("digest-key-label")} className="text-sm leading-none font-medium">
        Key columns
      </p>
      <ul className="grid max-h-48 gap-2 overflow-y-auto rounded-md border p-3 sm:grid-cols-2 lg:grid-cols-3">
        {columns.map((column, i) => item(column, i))}
        {missing.map((column, i) => item(column, columns.length + i, "(not in the table)"))}
      </ul>
      <p id={idFor("digest-key-hint")} className="text-muted-foreground text-xs break-words">
        The column, or columns, that identify a row: each key must appear once in the table.
        {value.length ? ` Chosen: ${value.join(", ")}.` : " None chosen yet."}
      </p>
      <FieldErrors id={idFor("digest-key-error")} errors={errors} />
    </div>
  );
}

/** Key columns typed, for a table whose columns are not known yet: split on commas and trimmed as they are typed. */
function KeyText({
  idFor,
  table,
  value,
  onChange,
  errors,
}: {
  idFor: (part: string) => string;
  table: string;
  value: string[];
  onChange: (key: string[]) => void;
  errors: string[];
}) {
  // The text as typed ("id, " on the way to "id, region"), the draft holds the names.
  const [text, setText] = useState(() => value.join(", "));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    // Changed from outside (another table, "Discard changes"): show it, unless it is what was typed.
    setShown(value);
    if (splitColumns(text).join("\n") !== value.join("\n")) setText(value.join(", "));
  }
  const errorId = errors.length ? idFor("digest-key-error") : undefined;

  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={idFor("digest-key")}>Key columns</Label>
      <Input
        id={idFor("digest-key")}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const key = splitColumns(e.target.value);
          setShown(key);
          onChange(key);
        }}
        placeholder="id"
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
        aria-invalid={errorId ? true : undefined}
        aria-describedby={describedBy(errorId, idFor("digest-key-hint"))}
      />
      <p id={idFor("digest-key-hint")} className="text-muted-foreground text-xs break-words">
        The column, or columns, that identify a row, separated by commas.{" "}
        {table ? `${table} has no table yet, so its columns are not known.` : ""}
      </p>
      <FieldErrors id={idFor("digest-key-error")} errors={errors} />
    </div>
  );
}
