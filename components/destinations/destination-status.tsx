import { CircleAlertIcon, CircleCheckIcon, FlaskConicalIcon, StarIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

export type DestinationHealth = { status: "ok" | "needs_attention"; attentionReason: string | null };

/** "OK", or a destructive "Needs attention" badge followed by why (what Slack answered). */
export function DestinationStatus({ status, attentionReason, className }: DestinationHealth & { className?: string }) {
  if (status !== "needs_attention") {
    return (
      <Badge variant="outline" className={cn("border-emerald-600/40 text-emerald-800 dark:text-emerald-300", className)}>
        <CircleCheckIcon aria-hidden="true" />
        OK
      </Badge>
    );
  }
  return (
    <div data-testid="destination-attention" className={cn("flex min-w-0 flex-col items-start gap-1", className)}>
      <Badge variant="destructive">
        <CircleAlertIcon aria-hidden="true" />
        Needs attention
      </Badge>
      {attentionReason ? <p className="text-destructive text-xs break-words whitespace-normal">{attentionReason}</p> : null}
    </div>
  );
}

export function DefaultBadge({ className }: { className?: string }) {
  return (
    <Badge variant="secondary" className={className} data-testid="destination-default">
      <StarIcon aria-hidden="true" />
      Default
    </Badge>
  );
}

/** A destination of kind "sample": it records messages and posts nothing. */
export function TestChannelBadge({ className }: { className?: string }) {
  return (
    <Badge variant="outline" className={className} data-testid="destination-test-channel" title="Records messages instead of posting them">
      <FlaskConicalIcon aria-hidden="true" />
      Test channel
    </Badge>
  );
}
