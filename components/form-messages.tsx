import { CircleAlertIcon } from "lucide-react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { cn } from "@/lib/utils";

/** A form-level failure from a server action. Tests find it by data-testid="action-error". */
export function FormError({ message, className }: { message?: string; className?: string }) {
  if (!message) return null;
  return (
    <Alert variant="destructive" data-testid="action-error" className={className}>
      <CircleAlertIcon aria-hidden="true" />
      <AlertDescription>{message}</AlertDescription>
    </Alert>
  );
}

/** The messages for one field; give the input aria-describedby={id} when there are any. */
export function FieldErrors({ id, errors, className }: { id: string; errors?: string[]; className?: string }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className={cn("text-destructive text-sm", className)}>
      {errors.join(" ")}
    </p>
  );
}

/** Joins the ids that describe a field, leaving out the ones whose message is not shown. */
export function describedBy(...ids: Array<string | false | null | undefined>): string | undefined {
  const present = ids.filter(Boolean);
  return present.length ? present.join(" ") : undefined;
}
