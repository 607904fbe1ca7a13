"use client";

import type { ComponentProps } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors } from "@/components/form-messages";
import { NativeSelect } from "@/components/pipelines/native-select";
import type { Comparison } from "@/db/schema/pipelines";
import { describeCondition, OP_WORDS } from "@/lib/pipeline/alert-rules";
import { draftToCondition, FIRE_MODES, type ConditionDraft, type DeliveryDraft } from "./form-types";

const SIMPLE = new Set<ConditionDraft["kind"]>(["always", "has_rows", "changed"]);

/**
 * A delivery's condition beyond the simple choices: its numbers and SQL, when it fires, a
 * snooze, and the whole of it in plain words as the server will read it.
 */
export function ConditionFields({
  idFor,
  value,
  onChange,
  models,
  columns,
  errors,
}: {
  idFor: (part: string) => string;
  value: DeliveryDraft;
  onChange: (patch: Partial<DeliveryDraft>) => void;
  models: string[];
  columns: string[];
  errors: Record<string, string[] | undefined>;
}) {
  const c = value.condition;
  const set = (patch: Partial<ConditionDraft>) => onChange({ condition: { ...c, ...patch } });
  const conditionErrors = Object.entries(errors)
    .filter(([key]) => key === "condition" || key.startsWith("condition."))
    .flatMap(([, messages]) => messages ?? []);
  const errorId = conditionErrors.length ? idFor("condition-error") : undefined;
  const field = (name: keyof ConditionDraft, label: string, extra: Partial<ComponentProps<typeof Input>> = {}) => (
    <div className="flex min-w-0 flex-col gap-2">
      <Label htmlFor={idFor(`condition-${name}`)}>{label}</Label>
      <Input
        id={idFor(`condition-${name}`)}
        value={String(c[name])}
        onChange={(e) => set({ [name]: e.target.value })}
        autoComplete="off"
        aria-invalid={errorId ? true : undefined}
        aria-describedby={errorId}
        {...extra}
      />
    </div>
  );
  const comparison = (
    <div className="flex min-w-0 flex-col gap-2">
      <Label htmlFor={idFor("condition-op")}>Comparison</Label>
      <NativeSelect id={idFor("condition-op")} value={c.op} onChange={(e) => set({ op: e.target.value as ConditionDraft["op"] })}>
        {(Object.keys(OP_WORDS) as Comparison[]).map((op) => (
          <option key={op} value={op}>
            {op} ({OP_WORDS[op]})
          </option>
        ))}
      </NativeSelect>
    </div>
  );
  const sqlExtra = { spellCheck: false, className: "font-mono", list: idFor("condition-columns") };
  let words: string | null = null;
  try {
    words = describeCondition(draftToCondition(c), value.fire);
  } catch {
    words = null;
  }

  return (
    <div className="flex flex-col gap-3" data-testid="delivery-condition-fields" data-kind={c.kind}>
      <datalist id={idFor("condition-columns")}>
        {columns.map((column) => (
          <option key={column} value={column} />
        ))}
      </datalist>
      {SIMPLE.has(c.kind) ? null : (
        <div className="grid gap-3 sm:grid-cols-3">
          {c.kind === "rowCount" ? (
            <>
              {comparison}
              {field("value", "Rows", { type: "number", min: 0, step: 1, inputMode: "numeric" })}
            </>
          ) : null}
          {c.kind === "anyRow" || c.kind === "allRows"
            ? field("where", "SQL condition on a row", { ...sqlExtra, placeholder: "latency_ms > 500" })
            : null}
          {c.kind === "aggregate" || c.kind === "percentChange"
            ? field("expression", "Aggregate (SQL)", { ...sqlExtra, placeholder: "sum(amount)" })
            : null}
          {c.kind === "aggregate" ? (
            <>
              {comparison}
              {field("value", "Number", { type: "number", step: "any", inputMode: "decimal" })}
            </>
          ) : null}
          {c.kind === "percentChange" ? (
            <>
              <div className="flex min-w-0 flex-col gap-2">
                <Label htmlFor={idFor("condition-direction")}>Direction</Label>
                <NativeSelect
                  id={idFor("condition-direction")}
                  value={c.direction}
                  onChange={(e) => set({ direction: e.target.value as ConditionDraft["direction"] })}
                >
                  <option value="down">dropped</option>
                  <option value="up">rose</option>
                  <option value="either">changed either way</option>
                </NativeSelect>
              </div>
              {field("percent", "More than (%)", { type: "number", min: 0, step: "any", inputMode: "decimal" })}
            </>
          ) : null}
          {field("model", "Model (optional)", { list: idFor("condition-models"), placeholder: "the message's table" })}
          <datalist id={idFor("condition-models")}>
            {models.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </div>
      )}
      {c.kind === "always" || c.kind === "changed" ? null : (
        <div className="grid gap-3 sm:grid-cols-2">
          <div className="flex min-w-0 flex-col gap-2">
            <Label htmlFor={idFor("fire")}>Send the message</Label>
            <NativeSelect
              id={idFor("fire")}
              value={value.fire}
              onChange={(e) => onChange({ fire: e.target.value as DeliveryDraft["fire"] })}
              aria-describedby={idFor("fire-hint")}
            >
              {FIRE_MODES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </NativeSelect>
            <p id={idFor("fire-hint")} className="text-muted-foreground text-xs">
              {FIRE_MODES.find((m) => m.value === value.fire)?.hint}
            </p>
          </div>
          <div className="flex min-w-0 flex-col gap-2">
            <Label htmlFor={idFor("snooze")}>Snooze until (optional)</Label>
            <Input
              id={idFor("snooze")}
              type="datetime-local"
              value={value.snoozeUntil}
              onChange={(e) => onChange({ snoozeUntil: e.target.value })}
              aria-invalid={errors["snoozeUntil"]?.length ? true : undefined}
              aria-describedby={describedBy(errors["snoozeUntil"]?.length ? idFor("snooze-error") : undefined, idFor("snooze-hint"))}
            />
            <p id={idFor("snooze-hint")} className="text-muted-foreground text-xs">
              Your time zone. No message before then; the condition is still checked.
            </p>
            <FieldErrors id={idFor("snooze-error")} errors={errors["snoozeUntil"]} />
          </div>
        </div>
      )}
      {words ? (
        <p className="text-muted-foreground text-xs" data-testid="condition-in-words">
          Sent {words}.
        </p>
      ) : null}
      <FieldErrors id={idFor("condition-error")} errors={conditionErrors} />
    </div>
  );
}
