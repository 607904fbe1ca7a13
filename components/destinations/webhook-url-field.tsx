"use client";

import { useState } from "react";
import { EyeIcon, EyeOffIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors } from "@/components/form-messages";

/**
 * The webhook URL is a secret: masked while typed (with a show toggle), never prefilled, never
 * autocompleted. After saving, the app only ever shows the masked form.
 */
export function WebhookUrlField({
  id,
  name = "webhookUrl",
  label,
  hint,
  errors,
  required,
  disabled,
  placeholder = "https://hooks.slack.com/services/…",
}: {
  id: string;
  name?: string;
  label: string;
  hint?: string;
  errors?: string[];
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
}) {
  const [shown, setShown] = useState(false);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      <div className="flex gap-2">
        <Input
          id={id}
          name={name}
          type={shown ? "text" : "password"}
          inputMode="url"
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          // Password managers should neither offer nor save this.
          data-1p-ignore=""
          data-lpignore="true"
          data-form-type="other"
          required={required}
          disabled={disabled}
          placeholder={placeholder}
          aria-invalid={errorId ? true : undefined}
          aria-describedby={describedBy(errorId, hintId)}
          className="font-mono"
        />
        <Button
          type="button"
          variant="outline"
          size="icon"
          className="shrink-0"
          aria-pressed={shown}
          aria-controls={id}
          aria-label="Show the URL"
          title={shown ? "Hide the URL" : "Show the URL"}
          disabled={disabled}
          onClick={() => setShown((s) => !s)}
        >
          {shown ? <EyeOffIcon aria-hidden="true" /> : <EyeIcon aria-hidden="true" />}
        </Button>
      </div>
      {hint ? (
        <p id={hintId} className="text-muted-foreground text-xs">
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}
