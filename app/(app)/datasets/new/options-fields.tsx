"use client";

import { useId, type ReactNode } from "react";
import { ChevronRightIcon } from "lucide-react";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { DELIMITER_CHOICES, ENCODING_SUGGESTIONS, OPTION_FIELDS } from "../dataset-options";

export type OptionValues = {
  delimiter: string;
  encoding: string;
  header: "auto" | "yes" | "no";
  headerLine: string;
  loadMode: "replace" | "append" | "upsert";
  types: "infer" | "text";
  badRowsMode: "pad" | "error" | "skip";
  nullMarkers: string;
  dateOrder: "auto" | "DMY" | "MDY";
};

export const DEFAULT_OPTIONS: OptionValues = {
  delimiter: "auto",
  encoding: "",
  header: "auto",
  headerLine: "",
  loadMode: "replace",
  types: "infer",
  badRowsMode: "pad",
  nullMarkers: "",
  dateOrder: "auto",
};

/** The "Advanced options" disclosure: a native <details>, so it opens with Enter/Space as is. */
export function OptionsFields({
  values,
  onChange,
  errors,
  knownColumns,
  disabled,
}: {
  values: OptionValues;
  onChange: (patch: Partial<OptionValues>) => void;
  errors?: Record<string, string[]>;
  /** Column names from the browser preview, offered as key-column checkboxes. */
  knownColumns?: string[];
  disabled?: boolean;
}) {
  const hasErrors = OPTION_FIELDS.some((k) => errors?.[k]?.length);
  return (
    <details className="group rounded-lg border" open={hasErrors || undefined}>
      <summary className="hover:bg-accent/50 focus-visible:ring-ring/50 flex cursor-pointer list-none items-center gap-2 rounded-lg px-4 py-3 text-sm font-medium outline-none focus-visible:ring-[3px] [&::-webkit-details-marker]:hidden">
        <ChevronRightIcon className="size-4 transition-transform group-open:rotate-90 motion-reduce:transition-none" aria-hidden="true" />
        Advanced options
        <span className="text-muted-foreground font-normal">(format, load mode, bad rows)</span>
      </summary>
      <fieldset disabled={disabled} className="grid gap-5 border-t px-4 py-4 md:grid-cols-2">
        <ChoiceField
          id="opt-delimiter"
          name="delimiter"
          label="Delimiter"
          value={values.delimiter}
          onValueChange={(v) => onChange({ delimiter: v })}
          choices={DELIMITER_CHOICES.map((c) => ({ value: c.value, label: c.label }))}
          hint="Detected from the first rows unless you choose one."
          errors={errors?.delimiter}
        />

        <div className="flex flex-col gap-2">
          <Label htmlFor="opt-encoding">Encoding</Label>
          <Input
            id="opt-encoding"
            name="encoding"
            list="opt-encoding-list"
            placeholder="auto"
            autoComplete="off"
            spellCheck={false}
            value={values.encoding}
            onChange={(e) => onChange({ encoding: e.target.value })}
            aria-invalid={errors?.encoding?.length ? true : undefined}
            aria-describedby={describedBy(Boolean(errors?.encoding?.length) && "opt-encoding-error", "opt-encoding-hint")}
          />
          <datalist id="opt-encoding-list">
            <option value="auto" />
            {ENCODING_SUGGESTIONS.map((e) => (
              <option key={e} value={e} />
            ))}
          </datalist>
          <p id="opt-encoding-hint" className="text-muted-foreground text-xs">
            Leave empty (auto) to use the byte-order mark or detect it (UTF-8, UTF-16, windows-1252, latin1, …); or type a label such as
            windows-1252, latin1, utf-16le.
          </p>
          <FieldErrors id="opt-encoding-error" errors={errors?.encoding} />
        </div>

        <ChoiceField
          id="opt-header"
          name="header"
          label="First row is a header"
          value={values.header}
          onValueChange={(v) => onChange({ header: v as OptionValues["header"] })}
          choices={[
            { value: "auto", label: "Detect (a row of only numbers and dates is data)" },
            { value: "yes", label: "Yes: it names the columns" },
            { value: "no", label: "No: name them column_1, column_2, …" },
          ]}
          errors={errors?.header}
        />

        <div className="flex flex-col gap-2">
          <Label htmlFor="opt-headerLine">Header line</Label>
          <Input
            id="opt-headerLine"
            name="headerLine"
            type="number"
            inputMode="numeric"
            min={1}
            max={10000}
            step={1}
            placeholder="Detect"
            value={values.headerLine}
            onChange={(e) => onChange({ headerLine: e.target.value })}
            aria-invalid={errors?.headerLine?.length ? true : undefined}
            aria-describedby={describedBy(Boolean(errors?.headerLine?.length) && "opt-headerLine-error", "opt-headerLine-hint")}
          />
          <p id="opt-headerLine-hint" className="text-muted-foreground text-xs">
            Empty: detected; title and note lines before the table are skipped. A number: the table starts on that line.
          </p>
          <FieldErrors id="opt-headerLine-error" errors={errors?.headerLine} />
        </div>

        <div className="flex flex-col gap-2">
          <Label htmlFor="opt-nullMarkers">Null markers</Label>
          <Input
            id="opt-nullMarkers"
            name="nullMarkers"
            placeholder="Default: NA, N/A, NULL, #N/A, -, NaN, None, …"
            value={values.nullMarkers}
            onChange={(e) => onChange({ nullMarkers: e.target.value })}
            aria-invalid={errors?.nullMarkers?.length ? true : undefined}
            aria-describedby={describedBy(Boolean(errors?.nullMarkers?.length) && "opt-nullMarkers-error", "opt-nullMarkers-hint")}
          />
          <p id="opt-nullMarkers-hint" className="text-muted-foreground text-xs">
            Comma-separated. Read as NULL in a column whose other values are numbers, dates or booleans; a text column keeps them.
          </p>
          <FieldErrors id="opt-nullMarkers-error" errors={errors?.nullMarkers} />
        </div>

        <ChoiceField
          id="opt-dateOrder"
          name="dateOrder"
          label="Dates like 03/04/2024"
          value={values.dateOrder}
          onValueChange={(v) => onChange({ dateOrder: v as OptionValues["dateOrder"] })}
          choices={[
            { value: "auto", label: "Detect (stays text if every date reads both ways)" },
            { value: "DMY", label: "Day first (DD/MM/YYYY)" },
            { value: "MDY", label: "Month first (MM/DD/YYYY)" },
          ]}
          errors={errors?.dateOrder}
        />

        <ChoiceField
          id="opt-types"
          name="types"
          label="Column types"
          value={values.types}
          onValueChange={(v) => onChange({ types: v as OptionValues["types"] })}
          choices={[
            { value: "infer", label: "Infer from the data" },
            { value: "text", label: "Keep every column as text" },
          ]}
          hint="You can change a single column's type later."
          errors={errors?.types}
        />

        <ChoiceField
          id="opt-loadMode"
          name="loadMode"
          label="Load mode"
          value={values.loadMode}
          onValueChange={(v) => onChange({ loadMode: v as OptionValues["loadMode"] })}
          choices={[
            { value: "replace", label: "Replace: each load replaces the table" },
            { value: "append", label: "Append: each load adds its rows" },
            { value: "upsert", label: "Upsert: update rows by key, add new ones" },
          ]}
          errors={errors?.loadMode}
        />

        {values.loadMode === "upsert" ? (
          <KeyColumnsField known={knownColumns} errors={errors?.keyColumns} />
        ) : (
          <div className="hidden md:block" aria-hidden="true" />
        )}

        <ChoiceField
          id="opt-badRowsMode"
          name="badRowsMode"
          label="Bad rows"
          value={values.badRowsMode}
          onValueChange={(v) => onChange({ badRowsMode: v as OptionValues["badRowsMode"] })}
          choices={[
            { value: "pad", label: "Pad short rows with NULLs; fail on long ones" },
            { value: "error", label: "Fail the load on the first bad row" },
            { value: "skip", label: "Skip bad rows, up to a limit" },
          ]}
          hint="A bad row has more or fewer fields than the header. Padded and skipped rows are counted and shown with the load."
          errors={errors?.badRowsMode}
        />

        {values.badRowsMode === "skip" ? (
          <div className="flex flex-col gap-2">
            <Label htmlFor="opt-badRowsMax">Skip at most (rows)</Label>
            <Input
              id="opt-badRowsMax"
              name="badRowsMax"
              type="number"
              inputMode="numeric"
              min={1}
              max={100000}
              step={1}
              defaultValue={100}
              required
              aria-invalid={errors?.badRowsMax?.length ? true : undefined}
              aria-describedby={describedBy(Boolean(errors?.badRowsMax?.length) && "opt-badRowsMax-error", "opt-badRowsMax-hint")}
            />
            <p id="opt-badRowsMax-hint" className="text-muted-foreground text-xs">
              1 to 100,000. More bad rows than this fails the load; skipped rows are listed on the dataset page.
            </p>
            <FieldErrors id="opt-badRowsMax-error" errors={errors?.badRowsMax} />
          </div>
        ) : null}
      </fieldset>
    </details>
  );
}

function ChoiceField({
  id,
  name,
  label,
  value,
  onValueChange,
  choices,
  hint,
  errors,
}: {
  id: string;
  name: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  choices: { value: string; label: string }[];
  hint?: ReactNode;
  errors?: string[];
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      <Select name={name} value={value} onValueChange={onValueChange}>
        <SelectTrigger id={id} className="w-full" aria-invalid={errorId ? true : undefined} aria-describedby={describedBy(errorId, hintId)}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {choices.map((c) => (
            <SelectItem key={c.value} value={c.value}>
              {c.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      {hint ? (
        <p id={hintId} className="text-muted-foreground text-xs">
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

function KeyColumnsField({ known, errors }: { known?: string[]; errors?: string[] }) {
  const groupId = useId();
  const errorId = errors?.length ? "opt-keyColumns-error" : undefined;
  const usable = known?.filter(Boolean) ?? [];
  if (usable.length > 0) {
    return (
      <fieldset className="flex min-w-0 flex-col gap-2" aria-describedby={describedBy(errorId, `${groupId}-hint`)}>
        <legend className="mb-2 text-sm font-medium">Key columns</legend>
        <div className="flex max-h-40 flex-col gap-2 overflow-y-auto rounded-md border p-2">
          {usable.map((name) => (
            <div key={name} className="flex items-center gap-2">
              <Checkbox id={`${groupId}-${name}`} name="keyColumns" value={name} />
              <Label htmlFor={`${groupId}-${name}`} className="font-mono text-xs font-normal">
                {name}
              </Label>
            </div>
          ))}
        </div>
        <p id={`${groupId}-hint`} className="text-muted-foreground text-xs">
          Rows with the same values in these columns are updated instead of added.
        </p>
        <FieldErrors id="opt-keyColumns-error" errors={errors} />
      </fieldset>
    );
  }
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor="opt-keyColumns">Key columns</Label>
      <Input
        id="opt-keyColumns"
        name="keyColumns"
        placeholder="e.g. id or region, day"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={describedBy(errorId, "opt-keyColumns-hint")}
      />
      <p id="opt-keyColumns-hint" className="text-muted-foreground text-xs">
        Column names as loaded (lowercase, underscores), separated by commas. Rows with the same key are updated.
      </p>
      <FieldErrors id="opt-keyColumns-error" errors={errors} />
    </div>
  );
}
