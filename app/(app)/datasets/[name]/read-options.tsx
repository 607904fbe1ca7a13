"use client";

import { useActionState, useEffect } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import type { DatasetOptions, DetectedDialect } from "@/db/schema/datasets";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { FormError } from "@/components/form-messages";
import { delimiterLabel } from "../format";
import { setDateOrderAction, setReadOptionsAction } from "./actions";

type State = ActionResult<{ loadId: string | null }>;

const source = (how: string) => (how === "detected" ? "detected" : how === "bom" ? "byte-order mark" : "chosen");

/**
 * "How the file was read": every decision the load made (lib/csv/sniff.ts), and a form to read
 * the stored file differently. Applying reloads the current version; no new upload is needed.
 */
export function ReadOptions({
  datasetId,
  dialect,
  options,
  canEdit,
  busy,
}: {
  datasetId: string;
  dialect: DetectedDialect | null;
  options: DatasetOptions;
  canEdit: boolean;
  busy: boolean;
}) {
  const [state, formAction, pending] = useActionState(setReadOptionsAction, { ok: false } as State);
  useEffect(() => {
    if (state.ok) {
      toast.success(
        state.data.loadId
          ? "Reading the stored file again with these options"
          : "Saved: this dataset appends, so they apply from the next file on",
      );
    }
  }, [state]);
  const error = state.ok
    ? undefined
    : (state.formError ??
      Object.values(state.fieldErrors ?? {})
        .flat()
        .join(" "));
  const delimiterValue = options.delimiter === "\t" ? "tab" : (options.delimiter ?? "");
  const badRows = options.badRows.mode === "fail" ? "error" : options.badRows.mode;

  return (
    <div className="flex flex-col gap-4" data-testid="read-options">
      {dialect ? (
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-3" data-testid="detected-dialect">
          <Fact term={`Encoding (${source(dialect.encodingSource)})`} testId="detected-encoding">
            {dialect.encoding}
            {dialect.encodingSource === "detected" ? <span className="text-muted-foreground"> — {dialect.encodingReason}</span> : null}
          </Fact>
          <Fact term={`Delimiter (${source(dialect.delimiterSource)})`}>{delimiterLabel(dialect.delimiter)}</Fact>
          <Fact term={`Header (${source(dialect.headerSource)})`} testId="detected-header">
            {dialect.header ? `line ${dialect.headerLine}` : `none; data from line ${dialect.headerLine}`}
            {dialect.headerLine > 1 ? `, lines 1–${dialect.headerLine - 1} skipped` : ""}
          </Fact>
          <Fact term="Line endings">{dialect.lineEnding === "\r\n" ? "CRLF (Windows)" : dialect.lineEnding === "\r" ? "CR" : "LF"}</Fact>
          <Fact term="Trailing delimiter">{dialect.trailingDelimiter ? "every line ends with one (not a column)" : "no"}</Fact>
          <Fact term="Null markers">{(dialect.nullMarkers ?? []).map((m) => (m === "" ? "(empty)" : m)).join(", ") || "none"}</Fact>
        </dl>
      ) : (
        <p className="text-muted-foreground text-sm">
          What the load detects (encoding, delimiter, header line, null markers) appears after the next load.
        </p>
      )}

      {canEdit ? (
        <details className="group rounded-lg border">
          <summary className="hover:bg-accent/50 cursor-pointer list-none rounded-lg px-4 py-3 text-sm font-medium">
            Read it differently…
          </summary>
          <form action={formAction} className="grid gap-4 border-t px-4 py-4 md:grid-cols-2" aria-describedby="read-options-hint">
            <input type="hidden" name="datasetId" value={datasetId} />
            <p id="read-options-hint" className="text-muted-foreground text-xs md:col-span-2">
              Empty fields are detected. Applying loads the stored file again with these options; if that load fails, the tables keep their
              data.
            </p>
            <Field id="ro-encoding" label="Encoding" hint="e.g. utf-8, windows-1252, latin1, utf-16le">
              <Input id="ro-encoding" name="encoding" defaultValue={options.encoding ?? ""} placeholder="Detect" />
            </Field>
            <Field id="ro-delimiter" label="Delimiter" hint="Detected from the first lines unless chosen">
              <NativeSelect
                id="ro-delimiter"
                name="delimiter"
                defaultValue={delimiterValue}
                choices={[
                  ["", "Detect"],
                  [",", "Comma (,)"],
                  [";", "Semicolon (;)"],
                  ["tab", "Tab"],
                  ["|", "Pipe (|)"],
                ]}
              />
            </Field>
            <Field id="ro-header" label="Header row" hint="A first row of only numbers and dates is detected as data">
              <NativeSelect
                id="ro-header"
                name="header"
                defaultValue={options.header === undefined ? "" : options.header ? "yes" : "no"}
                choices={[
                  ["", "Detect"],
                  ["yes", "Yes: it names the columns"],
                  ["no", "No: column_1, column_2, …"],
                ]}
              />
            </Field>
            <Field id="ro-headerLine" label="Header line" hint="The line the table starts on">
              <Input
                id="ro-headerLine"
                name="headerLine"
                type="number"
                min={1}
                max={10000}
                defaultValue={options.headerLine ?? ""}
                placeholder="Detect"
              />
            </Field>
            <Field id="ro-nullMarkers" label="Null markers" hint="Comma-separated; empty for the default list">
              <Input
                id="ro-nullMarkers"
                name="nullMarkers"
                defaultValue={options.nullMarkers?.join(", ") ?? ""}
                placeholder="NA, N/A, NULL, #N/A, -, …"
              />
            </Field>
            <Field id="ro-dateOrder" label="Dates like 03/04/2024" hint="Detect: such a column stays text until you choose">
              <NativeSelect
                id="ro-dateOrder"
                name="dateOrder"
                defaultValue={options.dateOrder ?? ""}
                choices={[
                  ["", "Detect"],
                  ["DMY", "Day first (DD/MM/YYYY)"],
                  ["MDY", "Month first (MM/DD/YYYY)"],
                ]}
              />
            </Field>
            <Field id="ro-badRowsMode" label="Bad rows" hint="Rows with more or fewer fields than the header">
              <NativeSelect
                id="ro-badRowsMode"
                name="badRowsMode"
                defaultValue={badRows}
                choices={[
                  ["pad", "Pad short rows with NULLs"],
                  ["error", "Fail the load"],
                  ["skip", "Skip them, up to a limit"],
                ]}
              />
            </Field>
            <Field id="ro-badRowsMax" label="Skip at most" hint="With skip: 1 to 100,000">
              <Input
                id="ro-badRowsMax"
                name="badRowsMax"
                type="number"
                min={1}
                max={100000}
                defaultValue={options.badRows.mode === "skip" ? options.badRows.max : 100}
              />
            </Field>
            <div className="flex flex-col gap-2 md:col-span-2">
              <FormError message={error} />
              <Button type="submit" className="w-fit" disabled={busy || pending}>
                {pending ? "Applying…" : "Apply and reload"}
              </Button>
            </div>
          </form>
        </details>
      ) : null}
    </div>
  );
}

/** The one-click override of a column whose dates read both ways. */
export function DateOrderButtons({ datasetId, disabled }: { datasetId: string; disabled: boolean }) {
  const [state, formAction, pending] = useActionState(setDateOrderAction, { ok: false } as State);
  useEffect(() => {
    if (state.ok) toast.success("Reading the dates again in that order");
  }, [state]);
  return (
    <form action={formAction} className="flex flex-wrap gap-2">
      <input type="hidden" name="datasetId" value={datasetId} />
      <Button type="submit" name="dateOrder" value="DMY" size="sm" variant="outline" disabled={disabled || pending}>
        Day first (DD/MM)
      </Button>
      <Button type="submit" name="dateOrder" value="MDY" size="sm" variant="outline" disabled={disabled || pending}>
        Month first (MM/DD)
      </Button>
      {!state.ok && state.formError ? <FormError message={state.formError} /> : null}
    </form>
  );
}

function Fact({ term, children, testId }: { term: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="flex min-w-0 flex-col">
      <dt className="text-muted-foreground text-xs">{term}</dt>
      <dd className="break-words" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

function Field({ id, label, hint, children }: { id: string; label: string; hint: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <Label htmlFor={id}>{label}</Label>
      {children}
      <p className="text-muted-foreground text-xs">{hint}</p>
    </div>
  );
}

/** A plain <select>: keyboard and form behaviour of the platform, styled as the inputs. */
function NativeSelect({
  id,
  name,
  defaultValue,
  choices,
}: {
  id: string;
  name: string;
  defaultValue: string;
  choices: [string, string][];
}) {
  return (
    <select
      id={id}
      name={name}
      defaultValue={defaultValue}
      className="border-input bg-background focus-visible:ring-ring/50 h-9 rounded-md border px-3 text-sm shadow-xs outline-none focus-visible:ring-[3px]"
    >
      {choices.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
}
