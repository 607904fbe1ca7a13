import type { ComponentProps } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors } from "@/components/form-messages";

/** A labelled input with an optional hint and the server's messages for it, wired for screen readers. */
export function TextField({
  id,
  name = id,
  label,
  type = "text",
  hint,
  errors,
  ...inputProps
}: Omit<ComponentProps<"input">, "id" | "name"> & {
  id: string;
  name?: string;
  label: string;
  hint?: string;
  errors?: string[];
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      <Input
        {...inputProps}
        id={id}
        name={name}
        type={type}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={describedBy(errorId, hintId)}
      />
      {hint ? (
        <p id={hintId} className="text-muted-foreground text-xs">
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}
