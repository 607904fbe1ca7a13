"use client";

import { useState, type ComponentProps } from "react";
import { ChevronDownIcon, PlusIcon, Trash2Icon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { FieldErrors } from "@/components/form-messages";
import { AcceptedValuesEditor } from "./accepted-values-editor";
import { emptyTest, SEVERITIES, TEST_TYPES, type TestDraft, type TestType } from "./editor-state";

const LABEL_OF = Object.fromEntries(TEST_TYPES.map((t) => [t.type, t.label])) as Record<TestType, string>;
const HINT_OF = Object.fromEntries(TEST_TYPES.map((t) => [t.type, t.hint])) as Record<TestType, string>;

/**
 * The model's data tests as a list: add one of the six kinds, edit its fields, remove it.
 * Checks happen on save; each test shows the server's messages for it.
 */
export function TestsEditor({
  tests,
  onChange,
  readOnly,
  errorsFor,
  columns,
  relations,
  nextKey,
}: {
  tests: TestDraft[];
  onChange: (tests: TestDraft[]) => void;
  readOnly: boolean;
  errorsFor: (index: number) => string[] | undefined;
  /** The model's columns (last compile, preview or build): the column fields pick from these. */
  columns: string[];
  /** Models and datasets, suggested for a relationship's target. */
  relations: string[];
  nextKey: () => number;
}) {
  const [added, setAdded] = useState<number | null>(null);
  const update = (key: number, patch: Partial<TestDraft>) => onChange(tests.map((t) => (t.key === key ? { ...t, ...patch } : t)));

  return (
    <div className="flex flex-col gap-4" data-testid="tests-editor">
      <datalist id="model-relations">
        {relations.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>

      {tests.length === 0 ? (
        <p className="text-muted-foreground text-sm">
          No tests yet. Tests run after every build; a failing test is reported with a sample of the rows that broke it. A test of severity
          error stops a pipeline before anything is sent; a warn test lets the messages go and marks the run.
        </p>
      ) : (
        <ol className="flex flex-col gap-3">
          {tests.map((test, index) => (
            <li key={test.key}>
              <TestRow
                test={test}
                index={index}
                readOnly={readOnly}
                autoFocus={added === test.key}
                errors={errorsFor(index)}
                columns={columns}
                onChange={(patch) => update(test.key, patch)}
                onRemove={() => onChange(tests.filter((t) => t.key !== test.key))}
              />
            </li>
          ))}
        </ol>
      )}

      {readOnly ? null : (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button type="button" variant="outline" size="sm" className="self-start">
              <PlusIcon aria-hidden="true" />
              Add test
              <ChevronDownIcon aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="start">
            {TEST_TYPES.map(({ type, label }) => (
              <DropdownMenuItem
                key={type}
                onSelect={() => {
                  const test = emptyTest(type, nextKey());
                  setAdded(test.key);
                  onChange([...tests, test]);
                }}
              >
                {label}
              </DropdownMenuItem>
            ))}
          </DropdownMenuContent>
        </DropdownMenu>
      )}
    </div>
  );
}

function TestRow({
  test,
  index,
  readOnly,
  autoFocus,
  errors,
  columns,
  onChange,
  onRemove,
}: {
  test: TestDraft;
  index: number;
  readOnly: boolean;
  autoFocus: boolean;
  errors?: string[];
  columns: string[];
  onChange: (patch: Partial<TestDraft>) => void;
  onRemove: () => void;
}) {
  const id = `test-${test.key}`;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const hasColumn = test.type !== "row_count" && test.type !== "custom_sql";
  const field = (name: keyof TestDraft, label: string, extra: Partial<ComponentProps<typeof Input>> = {}, first = false) => (
    <div className="flex min-w-0 flex-col gap-2">
      <Label htmlFor={`${id}-${name}`}>{label}</Label>
      <Input
        id={`${id}-${name}`}
        value={String(test[name])}
        onChange={(e) => onChange({ [name]: e.target.value })}
        readOnly={readOnly}
        autoFocus={autoFocus && first}
        autoComplete="off"
        aria-invalid={errorId ? true : undefined}
        aria-describedby={errorId}
        {...extra}
      />
    </div>
  );

  return (
    <fieldset className="flex flex-col gap-3 rounded-lg border p-3" data-testid="test-row" data-type={test.type} aria-describedby={errorId}>
      <legend className="sr-only">
        Test {index + 1}: {LABEL_OF[test.type]}
      </legend>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex min-w-44 flex-col gap-2">
          <Label htmlFor={`${id}-type`}>Test {index + 1} type</Label>
          <Select value={test.type} onValueChange={(value) => onChange({ type: value as TestType })} disabled={readOnly}>
            <SelectTrigger id={`${id}-type`} className="w-full" aria-describedby={`${id}-hint`}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {TEST_TYPES.map(({ type, label }) => (
                <SelectItem key={type} value={type}>
                  {label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        {readOnly ? null : (
          <Button type="button" variant="ghost" size="sm" onClick={onRemove} className="ml-auto">
            <Trash2Icon aria-hidden="true" />
            Remove<span className="sr-only"> test {index + 1}</span>
          </Button>
        )}
      </div>
      <p id={`${id}-hint`} className="text-muted-foreground -mt-1 text-xs">
        {HINT_OF[test.type]}
      </p>

      <div className="grid gap-3 sm:grid-cols-2">
        {hasColumn ? (
          columns.length ? (
            <ColumnPicker
              id={`${id}-column`}
              value={test.column}
              columns={columns}
              onChange={(column) => onChange({ column })}
              readOnly={readOnly}
              describedBy={errorId}
            />
          ) : (
            field(
              "column",
              "Column",
              { placeholder: "column_name", "aria-describedby": [`${id}-column-hint`, errorId].filter(Boolean).join(" ") },
              true,
            )
          )
        ) : null}
        {test.type === "relationships" ? (
          <>
            {field("to", "Other model or dataset", { list: "model-relations", placeholder: "customers" })}
            {field("field", "Its column", { placeholder: "id" })}
          </>
        ) : null}
        {test.type === "row_count" ? (
          <>
            {field("min", "At least (rows)", { type: "number", min: 0, step: 1, inputMode: "numeric" }, true)}
            {field("max", "At most (rows)", { type: "number", min: 0, step: 1, inputMode: "numeric" })}
          </>
        ) : null}
        {test.type === "custom_sql" ? field("name", "Test name", { placeholder: "no_future_orders" }, true) : null}
      </div>

      {hasColumn && !columns.length ? (
        <p id={`${id}-column-hint`} className="text-muted-foreground -mt-1 text-xs">
          Compile or preview the SQL to pick the column from the model&apos;s own columns.
        </p>
      ) : null}
      {test.type === "accepted_values" ? (
        <AcceptedValuesEditor
          id={`${id}-values`}
          values={test.values}
          onChange={(values) => onChange({ values })}
          readOnly={readOnly}
          describedBy={errorId}
          invalid={Boolean(errorId)}
        />
      ) : null}
      {test.type === "custom_sql" ? (
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-sql`}>SQL returning the failing rows</Label>
          <Textarea
            id={`${id}-sql`}
            value={test.sql}
            onChange={(e) => onChange({ sql: e.target.value })}
            readOnly={readOnly}
            rows={4}
            spellCheck={false}
            placeholder={"select * from {{ this }} where amount < 0"}
            className="font-mono"
            aria-invalid={errorId ? true : undefined}
            aria-describedby={errorId}
          />
        </div>
      ) : null}
      <div className="grid gap-3 sm:grid-cols-3">
        <div className="flex min-w-0 flex-col gap-2">
          <Label htmlFor={`${id}-severity`}>When it fails</Label>
          <Select
            value={test.severity}
            onValueChange={(value) => onChange({ severity: value as TestDraft["severity"] })}
            disabled={readOnly}
          >
            <SelectTrigger id={`${id}-severity`} className="w-full" aria-describedby={`${id}-severity-hint`}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {SEVERITIES.map(({ value, label }) => (
                <SelectItem key={value} value={value}>
                  {label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <p id={`${id}-severity-hint`} className="text-muted-foreground text-xs">
            {SEVERITIES.find((s) => s.value === test.severity)?.hint}
          </p>
        </div>
        {test.severity === "error"
          ? field("errorIf", "Error if failing rows", { placeholder: "!=0", spellCheck: false, className: "font-mono" })
          : null}
        {field("warnIf", "Warn if failing rows", { placeholder: "!=0", spellCheck: false, className: "font-mono" })}
      </div>
      <FieldErrors id={`${id}-error`} errors={errors} />
    </fieldset>
  );
}

/**
 * The tested column, picked from the model's columns; a saved name that is no longer among them
 * stays selectable (marked), so opening the editor never changes a test silently.
 */
function ColumnPicker({
  id,
  value,
  columns,
  onChange,
  readOnly,
  describedBy,
}: {
  id: string;
  value: string;
  columns: string[];
  onChange: (column: string) => void;
  readOnly: boolean;
  describedBy?: string;
}) {
  const missing = value !== "" && !columns.includes(value);
  return (
    <div className="flex min-w-0 flex-col gap-2">
      <Label htmlFor={id}>Column</Label>
      <Select value={value || undefined} onValueChange={onChange} disabled={readOnly}>
        <SelectTrigger
          id={id}
          className="w-full font-mono"
          aria-invalid={describedBy || missing ? true : undefined}
          aria-describedby={describedBy}
        >
          <SelectValue placeholder="Choose a column" />
        </SelectTrigger>
        <SelectContent>
          {missing ? (
            <SelectItem value={value} className="font-mono">
              {value} (not in the model)
            </SelectItem>
          ) : null}
          {columns.map((c) => (
            <SelectItem key={c} value={c} className="font-mono">
              {c}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}
