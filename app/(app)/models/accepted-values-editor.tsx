"use client";

import { useState, type ClipboardEvent, type KeyboardEvent } from "react";
import { XIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { addValues, splitValues } from "./editor-state";

/**
 * An accepted-values list, one value per chip. Enter, a comma or leaving the field adds what was
 * typed; a pasted list is split at commas and line breaks (splitValues), so `paid, refunded` is
 * two values and never the one value "paid, refunded" the old text box made of it.
 */
export function AcceptedValuesEditor({
  id,
  values,
  onChange,
  readOnly,
  describedBy,
  invalid,
}: {
  id: string;
  values: string[];
  onChange: (values: string[]) => void;
  readOnly: boolean;
  describedBy?: string;
  invalid?: boolean;
}) {
  const [text, setText] = useState("");
  const commit = (typed: string) => {
    const added = splitValues(typed);
    if (added.length) onChange(addValues(values, added));
    setText("");
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" || e.key === ",") {
      // Enter would submit the whole form (a save); here it only adds the value.
      e.preventDefault();
      commit(text);
    } else if (e.key === "Backspace" && text === "" && values.length) {
      onChange(values.slice(0, -1));
    }
  };
  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData("text");
    if (!/[,\n\r]/.test(pasted)) return;
    e.preventDefault();
    commit(text + pasted);
  };

  return (
    <div className="flex flex-col gap-2">
      {readOnly ? (
        <span id={`${id}-label`} className="text-sm leading-none font-medium">
          Accepted values
        </span>
      ) : (
        <Label id={`${id}-label`} htmlFor={`${id}-add`}>
          Accepted values
        </Label>
      )}
      {values.length ? (
        <ul className="flex flex-wrap gap-1.5" aria-labelledby={`${id}-label`} data-testid="accepted-values">
          {values.map((value) => (
            <li
              key={value}
              className="bg-secondary text-secondary-foreground flex max-w-full items-center gap-1 rounded-md border py-0.5 pr-0.5 pl-2 font-mono text-xs"
              data-testid="accepted-value"
            >
              <span className="break-all">{value}</span>
              {readOnly ? null : (
                <Button
                  type="button"
                  variant="ghost"
                  size="icon"
                  className="size-6"
                  onClick={() => onChange(values.filter((v) => v !== value))}
                  aria-label={`Remove value ${value}`}
                >
                  <XIcon aria-hidden="true" />
                </Button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-muted-foreground text-xs">No values yet.</p>
      )}
      {readOnly ? null : (
        <>
          <Input
            id={`${id}-add`}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            onBlur={() => commit(text)}
            placeholder="Type a value and press Enter, or paste a list"
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
            aria-invalid={invalid ? true : undefined}
            aria-describedby={[`${id}-add-hint`, describedBy].filter(Boolean).join(" ")}
          />
          <p id={`${id}-add-hint`} className="text-muted-foreground text-xs">
            Enter or a comma adds a value; a pasted list is split at commas and line breaks. Quote a value that holds a comma: &quot;a,
            b&quot;.
          </p>
        </>
      )}
    </div>
  );
}
